"""Realistic sample contexts for the standard-land and supplement documents.

The rules' outputs (evaluation, verification) are written as the JSON the rules module stores
(see the standard-land contract): strings for numbers and ISO strings for dates inside them.
"""

from __future__ import annotations

from datetime import date, datetime

ISSUER = "东莞市绿色通道服务中心"
SUPERVISOR = "东莞松山湖高新技术产业开发区管理委员会"


def common(word: str, **overrides) -> dict:
    ctx = {
        "number": f"东莞绿通{word}〔2026〕第0007号",
        "issuer": ISSUER,
        "issued_on": date(2026, 12, 10),
        "enterprise_name": "东莞市松湖智能装备制造有限公司",
        "uscc": "91350100M000100Y43",
        "case_no": "GC-2026-000123",
        "project_name": "松湖智能装备生产基地建设项目",
        "verification_code": "7KQ2-M9XD-4TPA",
    }
    ctx.update(overrides)
    return ctx


def parcel() -> dict:
    return {
        "number": "2026WG031",
        "base_name": "松山湖智能装备产业基地",
        "location": "东莞市松山湖高新区工业西路以北、科技九路以东",
        "area_m2": "20000.00",
        "area_mu": "30.0000",
        "land_use": "工业用地（一类）",
    }


def indicators() -> list[dict]:
    return [
        {"code": "investment_intensity", "name_zh": "固定资产投资强度", "unit": "万元/亩", "comparator": "ge",
         "threshold": "150", "threshold_high": None, "threshold_text": "≥ 150 万元/亩", "measured_at": "completion",
         "measured_at_zh": "竣工验收时", "planned": "180", "verdict": "pass", "verdict_zh": "符合",
         "arithmetic": "计划值 180 ≥ 控制值 150，高出 30（20.0%）"},
        {"code": "far", "name_zh": "容积率", "unit": "", "comparator": "between", "threshold": "1.0",
         "threshold_high": "1.8", "threshold_text": "1.0～1.8", "measured_at": "completion",
         "measured_at_zh": "竣工验收时", "planned": "1.6", "verdict": "pass", "verdict_zh": "符合",
         "arithmetic": "计划值 1.6 在 1.0～1.8 之间，距上限 0.2（11.1%）"},
        {"code": "building_density", "name_zh": "建筑密度", "unit": "%", "comparator": "between", "threshold": "35",
         "threshold_high": "65", "threshold_text": "35%～65%", "measured_at": "completion",
         "measured_at_zh": "竣工验收时", "planned": "48", "verdict": "pass", "verdict_zh": "符合",
         "arithmetic": "计划值 48 在 35～65 之间，距下限 13（37.1%）"},
        {"code": "tax_per_mu", "name_zh": "亩均税收", "unit": "万元/亩·年", "comparator": "ge", "threshold": "20",
         "threshold_high": None, "threshold_text": "≥ 20 万元/亩·年", "measured_at": "ramp_up_end",
         "measured_at_zh": "投产初始运行期满时", "planned": "21", "verdict": "at_risk",
         "verdict_zh": "临界（有风险）", "arithmetic": "计划值 21 ≥ 控制值 20，高出 1（5.0%），低于临界余量 10%"},
        {"code": "office_share", "name_zh": "行政办公及生活服务设施用地比例", "unit": "%", "comparator": "le",
         "threshold": "7", "threshold_high": None, "threshold_text": "≤ 7%", "measured_at": "completion",
         "measured_at_zh": "竣工验收时", "planned": "9", "verdict": "fail", "verdict_zh": "不符合",
         "arithmetic": "计划值 9 > 控制值 7，超出 2（28.6%）"},
    ]


def evaluation() -> dict:
    return {
        "rules_version": "standard_land/1",
        "margin": "0.10",
        "indicators": indicators(),
        "assessments": [
            {"code": "QP-2024-001", "kind": "plan_eia", "name": "松山湖高新区区域规划环境影响评价",
             "authority": "东莞市生态环境局", "valid_from": "2024-01-01", "valid_until": "2029-12-31",
             "conditions": "入园项目须符合规划环评准入清单，不得新增电镀工艺", "reusable": True,
             "reasons": ["宗地在评估范围内", "行业 3562 在准入清单内", "有效期至2029年12月31日"]},
            {"code": "NP-2023-004", "kind": "energy", "name": "松山湖高新区区域节能评估",
             "authority": "东莞市发展和改革局", "valid_from": "2023-03-01", "valid_until": None,
             "conditions": "项目年综合能耗应在区域能耗总量控制指标内", "reusable": True,
             "reasons": ["宗地在评估范围内", "长期有效"]},
            {"code": "FH-2019-002", "kind": "flood", "name": "松山湖片区区域防洪影响评价",
             "authority": "东莞市水务局", "valid_from": "2019-05-01", "valid_until": "2024-04-30",
             "conditions": "", "reusable": False, "reasons": ["有效期已于2024年4月30日届满"]},
        ],
        "energy": {"annual_energy_tce": "800", "annual_electricity_kwh": "4000000", "needed": False,
                   "level": "none",
                   "reason": "年综合能耗800吨标准煤且年电力消费400万千瓦时，均低于1000吨标准煤/500万千瓦时，"
                             "无需单独进行节能审查"},
        "proposal": {"result": "approve_with_risks", "result_zh": "建议有条件通过（存在临界指标）",
                     "reasons": ["亩均税收计划值接近控制值，需在履约监管协议中重点监管",
                                 "行政办公及生活服务设施用地比例超过控制值，须调整总平面布置后方可出让"]},
    }


def commitments() -> list[dict]:
    return [
        {"name_zh": "固定资产投资强度", "unit": "万元/亩", "committed_text": "≥ 180 万元/亩",
         "measured_at_zh": "竣工验收时"},
        {"name_zh": "容积率", "unit": "", "committed_text": "1.0～1.8", "measured_at_zh": "竣工验收时"},
        {"name_zh": "亩均税收", "unit": "万元/亩·年", "committed_text": "≥ 21 万元/亩·年",
         "measured_at_zh": "投产初始运行期满时"},
        {"name_zh": "亩均产值", "unit": "万元/亩·年", "committed_text": "≥ 400 万元/亩·年",
         "measured_at_zh": "投产初始运行期满时"},
    ]


def milestones() -> dict:
    return {"start_on": date(2027, 3, 31), "completion_on": date(2028, 9, 30), "production_on": date(2028, 12, 31)}


def liability(**overrides) -> dict:
    value = {"rectification_months": 6, "damages_rate": "1", "land_price_wan": "1000.00", "credit_record": True}
    value.update(overrides)
    return value


def project_terms() -> dict:
    return {
        "parcel": parcel(),
        "industry_code": "3562",
        "industry_name": "半导体器件专用设备制造",
        "total_investment_wan": "12000",
    }


def supplement_notice(**overrides) -> dict:
    ctx = common("补") | {
        "application_title": "标准地预评估申请",
        "accepted_at": datetime(2026, 11, 27, 14, 5),
        "step_name": "控制指标预评估",
        "department": "东莞市自然资源局松山湖分局",
        "requested_on": date(2026, 12, 2),
        "items": [
            {"name": "项目总平面布置图", "reason": "未标注行政办公及生活服务设施用地范围，无法核算其用地比例",
             "form": "电子件（PDF）"},
            {"name": "固定资产投资估算表", "reason": "设备购置费未列明细，需补充主要设备清单及报价依据",
             "form": "原件1份、电子件"},
        ],
        "round": 1,
        "justification": "",
        "supplement_deadline": date(2026, 12, 16),
        "remaining_working_days": 3,
        "handler_name": "陈晓明",
        "handler_phone": "0769-22830123",
    }
    ctx.update(overrides)
    return ctx


def assessment_report(**overrides) -> dict:
    ctx = common("评") | project_terms() | {
        "application_title": "标准地预评估申请",
        "land_area_mu": "30",
        "evaluation": evaluation(),
        "evaluated_at": datetime(2026, 12, 3, 10, 20),
        "decision": {"kind": "approve", "reviewer": "李振华", "department": "东莞市自然资源局松山湖分局",
                     "decided_at": datetime(2026, 12, 8, 16, 30),
                     "reasons": "同意预评估建议。请申请人在出让前调整总平面布置，将行政办公及生活服务设施用地比例"
                                "控制在7%以内，并在履约监管协议中明确亩均税收的达产复核要求。"},
    }
    ctx.update(overrides)
    return ctx


def investment_commitment(**overrides) -> dict:
    ctx = common("诺") | project_terms() | {
        "legal_representative": "王建国",
        "supervisor": SUPERVISOR,
        "commitments": commitments(),
        "milestones": milestones(),
        "initial_operating_years": 3,
        "liability": liability(),
    }
    ctx.update(overrides)
    return ctx


def supervision_agreement(**overrides) -> dict:
    ctx = investment_commitment(number="东莞绿通协〔2026〕第0007号") | {
        "land_contract_no": "",
        "project_code": "2611-441900-04-01-135254",
    }
    ctx.update(overrides)
    return ctx


def verification(**overrides) -> dict:
    value = {
        "checkpoint": "ramp_up_end", "checkpoint_zh": "达产复核",
        "rows": [
            {"code": "tax_per_mu", "name_zh": "亩均税收", "unit": "万元/亩·年", "comparator": "ge", "committed": "21",
             "committed_text": "≥ 21 万元/亩·年", "actual": "18.9", "met": False, "shortfall": "2.1",
             "shortfall_ratio": "0.1000", "arithmetic": "实际值 18.9 < 承诺值 21，差额 2.1（10.00%）"},
            {"code": "output_per_mu", "name_zh": "亩均产值", "unit": "万元/亩·年", "comparator": "ge",
             "committed": "400", "committed_text": "≥ 400 万元/亩·年", "actual": "436", "met": True,
             "shortfall": "0", "shortfall_ratio": "0", "arithmetic": "实际值 436 ≥ 承诺值 400，高出 36（9.00%）"},
        ],
        "all_met": False,
        "consequences": {
            "rectification_deadline": "2032-06-30", "rectification_months": 6, "damages_wan": "100.00",
            "damages_formula": "违约金 = 出让价款 1000 万元 × 差额比例 10.00% × 系数 1 = 100.00 万元",
            "credit_record": True,
            "statements": ["亩均税收未达到承诺值，须于2032年6月30日前完成整改",
                           "整改期满仍未达到的，按履约监管协议计付违约金100.00万元",
                           "未达标情况纳入企业信用记录"],
        },
    }
    value.update(overrides)
    return value


def verification_report(**overrides) -> dict:
    ctx = common("验") | {
        "checkpoint": "ramp_up_end",
        "measured_on": date(2031, 12, 20),
        "recorded_by": "刘思远",
        "evidence": ["国家税务总局东莞市税务局出具的2031年度完税证明", "东莞市统计局规模以上工业企业年度产值数据"],
        "parcel": parcel(),
        "verification": verification(),
    }
    ctx.update(overrides)
    return ctx
