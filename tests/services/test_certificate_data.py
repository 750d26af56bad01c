"""The 拿地即开工 certificates as data per park (``services/land_to_start/certificates.py``): the bundled
default loads; a park's file (``GC_CERTIFICATES_FILE``) changes the issuing authorities, seal texts and 证号
series of certificates issued through the real case (services, database, WeasyPrint, signing, poppler); a
wrong file is refused naming its key; the 不动产单元号 has the GB/T 37346 structure and says it is provisional
until the registry's number is recorded. No mocks."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from services.cases import human_actions
from services.cases.steps import get_step
from services.core import clock, file_store
from services.core.ids import stored_id
from services.core.settings import get_settings
from services.documents.land_title_certificate import PROVISIONAL_MARK, PROVISIONAL_NOTE
from services.land_to_start import certificates
from services.land_to_start import service as lts
from services.models import ActionKind, Application, ApplicationStatus, Document, NumberSequence, Project
from tests.document_files import needs_poppler, pdf_text, run, squash
from tests.factories import demo_user, design_scheme, make_project
from tests.samples import DEPARTMENT_USERS

RUN = "00000000-0000-0000-0000-0000000ce57a"
PARK_FILE = """
version = "test-park-1"

[park]
name = "济源市"
division_code = "419001"
cadastral_district = "012"
cadastral_subdistrict = "003"

[certificates.land_title_certificate]
authority = "济源市不动产登记中心"
seal_text = "（不动产登记专用章）"
number_pattern = "豫（{year}）济源市不动产权第{serial:07d}号"

[certificates.land_use_planning_permit]
authority = "济源市自然资源和规划局"
number_pattern = "地字第{division}{year}YD{serial:04d}号"

[certificates.construction_planning_permit]
authority = "济源市自然资源和规划局"
seal_text = "（规划许可专用章）"
number_pattern = "建字第{division}{year}GC{serial:04d}号"

[certificates.construction_permit]
authority = "济源市住房和城乡建设局"
number_pattern = "{division}{year}{month:02d}{day:02d}{serial:04d}"
"""
PLANNING = "济源市自然资源和规划局"
PARK_AUTHORITIES = {"land_title_certificate": "济源市不动产登记中心", "land_use_planning_permit": PLANNING,
                    "construction_planning_permit": PLANNING, "construction_permit": "济源市住房和城乡建设局"}
PARK_NUMBERS = {"land_title_certificate": r"豫（\d{4}）济源市不动产权第(\d{7})号",
                "land_use_planning_permit": r"地字第419001\d{4}YD(\d{4})号",
                "construction_planning_permit": r"建字第419001\d{4}GC(\d{4})号",
                "construction_permit": r"419001\d{8}(\d{4})"}


@pytest.fixture
def park_file(tmp_path, monkeypatch):
    """Point GC_CERTIFICATES_FILE at a park's own file (济源) for this test."""
    path = tmp_path / "park-certificates.toml"
    path.write_text(PARK_FILE, encoding="utf-8")
    monkeypatch.setenv("GC_CERTIFICATES_FILE", str(path))
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()  # the next read sees the environment monkeypatch restores


def case_at_payment(session) -> Application:
    """A 拿地即开工 case driven through the services, every decision an approval, up to its payment."""
    project = make_project(session)
    values = {"project_id": project.id, "project_code": "2611-441900-04-01-123456", "building_area_m2": "36000",
              "design_unit": "广东省建筑设计研究院", "contractor": "中建三局第一建设工程有限责任公司",
              "supervisor_unit": "广州建设工程监理有限公司", "contract_price_wan": "18000", "funds_committed": True,
              "risk_signed_by": "陈立新", "risk_agreed": True}
    application = lts.submit(session, demo_user(session, "enterprise"), lts.LandToStartInput.model_validate(values),
                             uuid.uuid4().hex)[0]
    application_id = stored_id(application)
    for keys in (("project_filing", "design_review"), ("eia", "drawing_review"), ("deal_confirmation",),
                 ("contract",)):
        _settle(session, application_id)
        _approve(session, application_id, *keys)
    _settle(session, application_id)
    return application


def finish_case(session, application: Application) -> Application:
    """Approve the payment: the four certificates are issued in one batch."""
    application_id = stored_id(application)
    _approve(session, application_id, "payment")
    _settle(session, application_id)
    session.expire_all()
    application = session.get_one(Application, application_id)
    assert application.status == ApplicationStatus.permitted
    return application


def permitted_case(session) -> Application:
    return finish_case(session, case_at_payment(session))


def _approve(session, application_id: int, *keys: str) -> None:
    for key in keys:
        if key == "design_review":
            design_scheme(session, application_id)  # an approval is made on a version the enterprise handed in
        step = get_step(session, application_id, key)
        user = demo_user(session, DEPARTMENT_USERS[step.department])
        human_actions.record_action(session, user, step, ActionKind.approve, reasons="符合要求")


def _settle(session, application_id: int) -> None:
    """Do what the flow would do, on a day after the listing period once the listing runs."""
    listing = get_step(session, application_id, "land_listing")
    today = max(clock.today(), listing.due_on + timedelta(days=1)) if listing.due_on else clock.today()
    for _ in range(50):
        plan = lts.plan_work(session, application_id, today)
        if plan.closed or not plan.items:
            return
        for work in plan.items:
            lts.do(session, application_id, work, RUN)
    raise AssertionError("the case never settled")


def issued_certificates(session, application: Application) -> dict[str, Document]:
    rows = session.exec(select(Document).where(Document.application_id == application.id,
                                               Document.step_key == "certificates")).all()
    return {d.kind: d for d in rows}


def pdf_of(session, document: Document, tmp_path: Path) -> Path:
    path = tmp_path / f"{document.kind}.pdf"
    data = file_store.store(session, "documents").get(document.pdf_path)
    assert data is not None
    path.write_bytes(data)
    return path


# --- the data ------------------------------------------------------------------------------------------------


def test_the_bundled_default_is_dongguan():
    data = certificates.load(certificates.DEFAULT_PATH)
    assert set(data.certificates) == set(certificates.KINDS)
    assert data.park.division_code == "441900"
    assert data.issuer("land_title_certificate").authority == "东莞市不动产登记中心"
    assert data.issuer("construction_permit").authority == "东莞市住房和城乡建设局"
    assert {data.issuer(k).authority for k in ("land_use_planning_permit", "construction_planning_permit")} \
        == {"东莞市自然资源局"}
    day = date(2026, 12, 7)
    assert data.certificate_number("land_title_certificate", "东莞绿通不动产权〔2026〕第0007号", day) \
        == "粤（2026）东莞不动产权第0000007号"
    assert data.certificate_number("construction_permit", "东莞绿通施字〔2026〕第0012号", day) == "441900202612070012"
    assert certificates.load() == data, "nothing set: the bundled file"


@pytest.mark.parametrize(("change", "key", "says"), [
    (("authority = \"济源市不动产登记中心\"\n", ""), "certificates.land_title_certificate.authority", "Field required"),
    (("authority = \"济源市住房和城乡建设局\"", "authority = \"  \""), "certificates.construction_permit.authority",
     "must not be blank"),
    (("第{serial:07d}号", "第0000001号"), "certificates.land_title_certificate.number_pattern", "{serial}"),
    (("{division}{year}GC", "{division}GC"), "certificates.construction_planning_permit.number_pattern", "{year}"),
    (("YD{serial:04d}", "{district}{serial:04d}"), "certificates.land_use_planning_permit.number_pattern",
     "unknown placeholder"),
    (("GC{serial:04d}", "GC{serial:04q}"), "certificates.construction_planning_permit.number_pattern",
     "cannot be filled in"),
    (("division_code = \"419001\"", "division_code = \"4190\""), "park.division_code", "pattern"),
    (("cadastral_district = \"012\"", "cadastral_district = \"12\"\ncadastre = \"x\""), "park.cadastral_district",
     "pattern"),
    (("[certificates.construction_permit]", "[certificates.fire_permit]"), "certificates", "construction_permit"),
])
def test_a_wrong_park_file_is_refused_naming_the_key(tmp_path, change, key, says):
    path = tmp_path / "bad.toml"
    path.write_text(PARK_FILE.replace(*change), encoding="utf-8")
    with pytest.raises(certificates.CertificateDataError) as refused:
        certificates.load(path)
    message = str(refused.value)
    assert str(path) in message and f"{key}:" in message and says in message, message


def test_an_unknown_key_and_an_unreadable_file_are_named(tmp_path):
    path = tmp_path / "extra.toml"
    path.write_text(PARK_FILE.replace("[park]\n", "[park]\ndivison = \"typo\"\n"), encoding="utf-8")
    with pytest.raises(certificates.CertificateDataError, match=r"park\.divison: Extra inputs"):
        certificates.load(path)
    path.write_text("version = ", encoding="utf-8")
    with pytest.raises(certificates.CertificateDataError, match="不是有效的 TOML"):
        certificates.load(path)
    with pytest.raises(certificates.CertificateDataError, match="无法读取"):
        certificates.load(tmp_path / "missing.toml")


# --- the 不动产单元号 --------------------------------------------------------------------------------------------


def test_a_wrong_park_file_issues_no_certificate_at_all(session, tmp_path, monkeypatch):
    application = case_at_payment(session)
    bad = tmp_path / "bad.toml"
    bad.write_text(PARK_FILE.replace('authority = "济源市住房和城乡建设局"', ""), encoding="utf-8")
    monkeypatch.setenv("GC_CERTIFICATES_FILE", str(bad))
    get_settings.cache_clear()
    try:
        # the savepoint stands for the flow segment's transaction, rolled back when the batch fails
        with pytest.raises(certificates.CertificateDataError, match="certificates.construction_permit.authority"), \
                session.begin_nested():
            finish_case(session, application)
    finally:
        get_settings.cache_clear()
    assert issued_certificates(session, application) == {}, "the batch is all or nothing"


def test_the_unit_number_has_the_gb_t_37346_structure():
    data = certificates.load(certificates.DEFAULT_PATH)
    code = data.provisional_unit_number(31)
    assert len(code) == 28 and code == "441900001001GB00031W00000000"
    assert certificates.unit_number_parts(code) == {
        "division": "441900", "district": "001", "subdistrict": "001", "parcel_feature": "GB",
        "parcel_serial": "00031", "fixture_feature": "W", "fixture_serial": "00000000"}
    for bad in ("441900001001GB00031W0000000", "441900001001GQ00031W00000000", "441900001001GB00031K00000000",
                "44190000100IGB00031W00000000"):
        with pytest.raises(ValueError, match="28位"):
            certificates.unit_number_parts(bad)
    with pytest.raises(ValueError, match="5 digits"):
        data.provisional_unit_number(100_000)


# --- issued through the case -----------------------------------------------------------------------------------


@needs_poppler
def test_a_park_file_names_the_authorities_and_numbers_of_the_issued_certificates(session, park_file, tmp_path):
    application = permitted_case(session)
    issued = issued_certificates(session, application)
    assert set(issued) == set(certificates.KINDS)
    for kind, document in issued.items():
        authority = document.context.get("issuing_authority") or document.context["registration_body"]
        assert authority == PARK_AUTHORITIES[kind]
        number = document.context["certificate_number"]
        serial = re.fullmatch(PARK_NUMBERS[kind], number)
        assert serial, number
        assert int(serial.group(1)) == certificates.serial_of(document.number), "the 文号's gapless serial"
        counter = session.get_one(NumberSequence, (get_settings().issuer_short, kind, document.issued_at.year))
        assert counter.last_value == int(serial.group(1)), "no number skipped or taken twice"
        text = squash(pdf_text(pdf_of(session, document, tmp_path)))
        assert f"发证机关：{PARK_AUTHORITIES[kind]}" in text
        assert number in text and f"平台文号：{document.number}" in text
        assert "东莞市不动产登记中心" not in text and "东莞市自然资源局" not in text
    title = issued["land_title_certificate"]
    assert title.context["seal_text"] == "（不动产登记专用章）"  # the line the seal image covers
    assert issued["construction_permit"].context["land_title_number"] == title.context["certificate_number"]


@needs_poppler
def test_the_title_certificate_prints_a_provisional_unit_number(session, park_file, tmp_path):
    application = permitted_case(session)
    title = issued_certificates(session, application)["land_title_certificate"]
    code = title.context["unit_number"]
    parcel_id = session.get_one(Project, application.project_id).parcel_id
    assert code == f"419001012003GB{parcel_id:05d}W00000000" and len(code) == 28
    assert certificates.unit_number_parts(code)["division"] == "419001"
    assert title.context["unit_number_provisional"] is True
    pdf = pdf_of(session, title, tmp_path)
    text = squash(pdf_text(pdf))
    assert f"{code}{PROVISIONAL_MARK}" in text and PROVISIONAL_NOTE in text
    first_page = squash(run("pdftotext", "-f", "1", "-l", "1", "-enc", "UTF-8", pdf, "-"))
    assert "发证机关：济源市不动产登记中心" in first_page, "the mark does not push the seal off the first page"
    fonts = run("pdffonts", pdf)
    assert re.search(r"(CJK|WenQuanYi|Fandol|Noto).*\byes\b", fonts), fonts


@needs_poppler
def test_a_registered_unit_number_replaces_the_provisional_one(session, tmp_path):
    application = case_at_payment(session)
    with pytest.raises(ValueError, match="28位"):
        certificates.record_registered_unit_number(session, application, "441900-001", actor="registry")
    registered = certificates.record_registered_unit_number(session, application, "441900 003 002 GB 00417 W 00000000",
                                                            actor="registry")
    assert registered == "441900003002GB00417W00000000"
    application = finish_case(session, application)
    title = issued_certificates(session, application)["land_title_certificate"]
    assert title.context["unit_number"] == registered and title.context["unit_number_provisional"] is False
    text = squash(pdf_text(pdf_of(session, title, tmp_path)))
    assert registered in text and PROVISIONAL_MARK not in text and PROVISIONAL_NOTE not in text
