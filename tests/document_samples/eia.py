"""Realistic sample contexts for the 环评 (EIA) documents.

One project runs through them: a sensor plant in 松山湖 approved on the commitment route
(letter → decision → post-check), plus a rooftop PV filing and an assembly-only workshop that the
2021 catalogue does not manage. Catalogue rows are quoted from ``eia_catalogue_2021.json``.
"""

from __future__ import annotations

from datetime import date, datetime

from tests.document_samples.standard_land import common

AUTHORITY = "东莞市生态环境局"
SITE = "东莞市松山湖高新技术产业开发区工业西路8号"
ROW_81 = {"no": 81, "category": "电子元件及电子专用材料制造 398"}
ROW_90 = {"no": 90, "category": "陆上风力发电 4415；太阳能发电 4416（不含居民家用光伏发电）；其他电力生产4419"
                                "（不含海上的潮汐能、波浪能、温差能等发电）"}


def industry_codes() -> list[dict]:
    return [
        {"code": "3983", "name": "敏感元件及传感器制造", "role": "main"},
        {"code": "3982", "name": "电子电路制造", "role": "ancillary"},
    ]


def eligibility() -> list[dict]:
    return [
        {"explanation_zh": "项目位于松山湖高新技术产业开发区，该园区已开展规划环境影响评价，"
                           "项目符合规划环评结论及审查意见", "met": True},
        {"explanation_zh": "项目不涉及《建设项目环境影响评价分类管理名录（2021年版）》第三条规定的环境敏感区",
         "met": True},
        {"explanation_zh": "项目无电镀工艺（含化学镀、阳极氧化），不属于告知承诺制审批排除的行业", "met": True},
        {"explanation_zh": "项目属于告知承诺制审批正面清单所列行业（名录第81项），应编制环境影响报告表，不涉及辐射",
         "met": True},
        {"explanation_zh": "项目符合“三线一单”生态环境分区管控要求", "met": True},
    ]


def eia_commitment_letter(**overrides) -> dict:
    ctx = common("环诺") | {
        "project_name": "松湖智能传感器生产线建设项目",
        "legal_representative": "王建国",
        "authority": AUTHORITY,
        "site": SITE,
        "project_code": "2612-441900-04-01-356781",
        "industry_codes": industry_codes(),
        "catalogue_rows": [dict(ROW_81)],
        "level_zh": "环境影响报告表",
        "eligibility": eligibility(),
        "eia_organisation": "广东绿源环境科技有限公司",
    }
    ctx.update(overrides)
    return ctx


def conditions() -> list[str]:
    return [
        "严格落实废气污染防治措施，有机废气经收集后采用“活性炭吸附＋催化燃烧”工艺处理，"
        "执行广东省《固定污染源挥发性有机物综合排放标准》（DB44/2367—2022）",
        "落实废水分类收集、分质处理措施，生产废水经厂内预处理达标后排入市政污水管网",
        "项目挥发性有机物排放总量控制在1.2吨/年以内，并符合东莞市重点污染物排放总量控制要求",
        "严格执行环境保护设施与主体工程同时设计、同时施工、同时投产使用的“三同时”制度",
        "在启动生产设施或者发生实际排污之前依法申领排污许可证，未取得排污许可证不得排放污染物",
        "项目竣工后依法自主开展竣工环境保护验收，验收合格后方可投入生产",
    ]


def eia_decision(**overrides) -> dict:
    ctx = common("环审") | {
        "project_name": "松湖智能传感器生产线建设项目",
        "authority": AUTHORITY,
        "route": "commitment",
        "level_zh": "环境影响报告表",
        "site": SITE,
        "scale": "年产智能传感器500万件",
        "conditions": conditions(),
        "decided_on": date(2026, 12, 10),
        "post_check_due": date(2027, 1, 9),
        "revocation": True,
    }
    ctx.update(overrides)
    return ctx


def eia_filing_receipt(**overrides) -> dict:
    ctx = common("环备") | {
        "project_name": "松湖智能装备厂房屋顶分布式光伏发电项目",
        "authority": AUTHORITY,
        "site": SITE,
        "catalogue_rows": [dict(ROW_90)],
        "filed_at": datetime(2026, 12, 9, 10, 15),
    }
    ctx.update(overrides)
    return ctx


def check_items() -> list[dict]:
    return [
        {"item": "告知承诺制审批条件符合性",
         "result": "符合：位于松山湖高新区规划环评范围内，不涉及环境敏感区，无电镀工艺"},
        {"item": "环境影响报告表编制质量", "result": "挥发性有机物源强核算遗漏清洗工序"},
        {"item": "“三同时”落实情况", "result": "有机废气处理设施已与主体工程同步建设，尚未完成调试"},
        {"item": "排污许可手续", "result": "项目尚未投入生产，排污许可证尚未申领"},
    ]


def eia_post_check_record(**overrides) -> dict:
    ctx = common("环核", number="东莞绿通环核〔2027〕第0002号", issued_on=date(2027, 1, 12)) | {
        "project_name": "松湖智能传感器生产线建设项目",
        "authority": AUTHORITY,
        "decision_number": "东莞绿通环审〔2026〕第0007号",
        "decided_on": date(2026, 12, 10),
        "checker": "张立新、何敏",
        "checked_on": date(2027, 1, 8),
        "findings": "环境影响报告表挥发性有机物源强核算遗漏清洗工序，排放量少计约0.3吨/年。\n"
                    "有机废气处理设施尚未完成调试及验收监测。",
        "outcome": "rectify",
        "rectification_deadline": date(2027, 2, 28),
        "items": check_items(),
    }
    ctx.update(overrides)
    return ctx


def eia_not_managed_statement(**overrides) -> dict:
    ctx = common("环告") | {
        "project_name": "松湖智能装备组装车间建设项目",
        "authority": AUTHORITY,
        "site": SITE,
        "industry_codes": [{"code": "3562", "name": "半导体器件专用设备制造", "role": "main"}],
        "reasons": [
            "行业代码3562（半导体器件专用设备制造）对应名录第70项“专用设备制造业”",
            "项目无电镀工艺，不使用溶剂型涂料，报告书栏条件均不满足",
            "项目仅进行零部件组装，属于报告表栏“仅分割、焊接、组装的除外”情形",
            "该项登记表栏为“/”，名录对该项目未作规定",
        ],
        "catalogue_version": "2021年版（生态环境部令第16号）",
    }
    ctx.update(overrides)
    return ctx
