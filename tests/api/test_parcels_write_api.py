"""Catalogue writes through the API on the running stack: a supervisor adds a parcel with its indicators and
changes it, with the catalogue pages' rules (a taken number, a bad field: 422 in Chinese, nothing written);
a reviewer, and an integrator token without ``catalogue:write``, are refused (403)."""

import uuid

from sqlmodel import func, select

from services.core.db import session_scope
from services.integrations import tokens
from services.models import Parcel, User

BODY = {"base_code": "SSL-BIO", "location": "松山湖园区科技九路以南（接口测试）", "area_unit": "亩", "area": "30",
        "allowed_industry_codes": ["3983"], "land_price_wan": "6000",
        "indicators": [{"code": "investment_intensity", "name_zh": "固定资产投资强度", "unit": "万元/亩",
                        "comparator": "≥", "threshold": "400", "measured_at": "completion"}]}


def _parcels() -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(Parcel)).one()


def test_a_supervisor_adds_and_changes_a_parcel_and_others_are_refused(stack):
    number = f"API-{uuid.uuid4().hex[:8].upper()}"
    supervisor = stack.token("supervisor")
    with stack.client() as c:
        made = c.post("/api/v1/parcels", json=BODY | {"number": number}, headers=supervisor)
        assert made.status_code == 201, made.text
        parcel = made.json()
        assert (parcel["number"], parcel["area_mu"], parcel["status"]) == (number, "30", "available")
        assert [i["code"] for i in parcel["indicators"]] == ["investment_intensity"]
        before = _parcels()
        taken = c.post("/api/v1/parcels", json=BODY | {"number": number}, headers=supervisor)
        assert taken.status_code == 422 and "已存在" in taken.json()["errors"]["number"]
        bad = c.post("/api/v1/parcels", json=BODY | {"number": f"{number} X", "area": "-1"}, headers=supervisor)
        assert bad.status_code == 422 and set(bad.json()["errors"]) >= {"number", "area"}
        assert _parcels() == before  # nothing written by the refused ones

        changed = c.put(f"/api/v1/parcels/{parcel['id']}", headers=supervisor,
                        json=BODY | {"number": number, "land_price_wan": "6500", "status": "reserved"})
        assert changed.status_code == 200, changed.text
        assert changed.json()["land_price_wan"] == "6500.00" and changed.json()["status"] == "reserved"
        assert c.put("/api/v1/parcels/987654", json=BODY | {"number": number}, headers=supervisor).status_code == 404

        refused = c.post("/api/v1/parcels", json=BODY | {"number": number + "R"}, headers=stack.token("reviewer"))
        assert refused.status_code == 403 and "督办管理员" in refused.json()["detail"]
        with session_scope() as session:
            supervisor_user = session.exec(select(User).where(User.username == "supervisor")).one()
            _, token = tokens.create(session, supervisor_user, name="工改系统", username="supervisor",
                                     scopes=["catalogue:read"], expires_on=None)
        reader = {"Authorization": f"Bearer {token}"}
        assert c.get(f"/api/v1/parcels/{parcel['id']}", headers=reader).status_code == 200
        write = c.put(f"/api/v1/parcels/{parcel['id']}", json=BODY | {"number": number}, headers=reader)
        assert write.status_code == 403 and "维护地块目录" in write.json()["detail"]


def test_a_supervisor_records_a_regional_assessment_over_parcels_and_others_are_refused(stack):
    code = f"QYPG-{uuid.uuid4().hex[:6].upper()}"
    body = {"code": code, "kind": "energy", "name": "松山湖片区区域节能评估（接口）", "authority": "东莞市发展和改革局",
            "valid_from": "2026-01-01", "valid_until": "2028-12-31", "parcel_numbers": ["DG-SSL-BIO-2026-01"],
            "conditions": "年综合能耗不超过5000吨标准煤"}
    supervisor = stack.token("supervisor")
    with stack.client() as c:
        made = c.post("/api/v1/assessments", json=body, headers=supervisor)
        assert made.status_code == 201, made.text
        assessment = made.json()
        assert (assessment["code"], assessment["parcel_numbers"], assessment["status"]) == (
            code, ["DG-SSL-BIO-2026-01"], "valid")
        unknown = c.post("/api/v1/assessments", json=body | {"code": code + "X", "parcel_numbers": ["NO-SUCH-1"]},
                         headers=supervisor)
        assert unknown.status_code == 422 and "NO-SUCH-1" in unknown.text
        changed = c.put(f"/api/v1/assessments/{assessment['id']}", json=body | {"valid_until": "2029-12-31"},
                        headers=supervisor)
        assert changed.status_code == 200 and changed.json()["valid_until"] == "2029-12-31"
        listed = c.get("/api/v1/assessments", headers=stack.token("enterprise"))
        assert listed.status_code == 200 and code in {a["code"] for a in listed.json()}
        refused = c.post("/api/v1/assessments", json=body | {"code": code + "R"}, headers=stack.token("agent"))
        assert refused.status_code == 403


def test_a_supervisor_keeps_the_agency_catalogue_over_the_api_and_others_only_read_it(stack):
    code = f"DX{uuid.uuid4().hex[:4].upper()}"
    item = {"code": code, "name": "接口测试事项", "stage": "工程建设", "department": "住房和城乡建设局",
            "limit_text": "5个工作日", "mode": "assist", "processes": ["land_to_start"], "position": 99}
    supervisor = stack.token("supervisor")
    with stack.client() as c:
        made = c.post("/api/v1/agency/items", json=item, headers=supervisor)
        assert made.status_code == 201, made.text
        assert (made.json()["code"], made.json()["mode_label"]) == (code, "协助办理")
        clash = c.post("/api/v1/agency/items", json=item, headers=supervisor)
        assert clash.status_code == 422 and "已被" in clash.json()["detail"]
        unknown = c.post("/api/v1/agency/items", json=item | {"code": code + "Z", "processes": ["nope"]},
                         headers=supervisor)
        assert unknown.status_code == 422 and "未知的办理流程：nope" in unknown.json()["detail"]
        withdrawn = c.put(f"/api/v1/agency/items/{made.json()['id']}", json=item | {"active": False},
                          headers=supervisor)
        assert withdrawn.status_code == 200 and withdrawn.json()["active"] is False
        enterprise = stack.token("enterprise")
        assert code not in {i["code"] for i in c.get("/api/v1/agency/items", headers=enterprise).json()}
        assert code in {i["code"] for i in c.get("/api/v1/agency/items", headers=supervisor).json()}
        assert c.post("/api/v1/agency/items", json=item | {"code": code + "E"}, headers=enterprise).status_code == 403
