"""亩均效益综合评价: yearly returns imported from CSV (all rows or none, every wrong cell named), scored against the
park's own figures and classed A/B/C/D by the method in data."""

from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlmodel import func, select

from services.core import uscc
from services.core.users import get_by_username
from services.models import MuAnnualReturn
from services.standard_land import mu_evaluation

HEADER = "统一社会信用代码,企业名称,年度,用地面积（亩）,实缴税收（万元）,工业总产值（万元）,综合能耗（吨标准煤）"


def code(n: int) -> str:
    first17 = f"91441900{n:09d}"
    return first17 + uscc.check_character(first17)


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\ufeff" + "\n".join([header, *rows]) + "\n").encode("utf-8")


def _count(session) -> int:
    return session.exec(select(func.count()).select_from(MuAnnualReturn)).one()


def test_enterprises_are_scored_against_the_park_and_classed(session):
    supervisor = get_by_username(session, "supervisor")
    result = mu_evaluation.import_returns(session, supervisor, _csv(
        f"{code(1)},甲智造有限公司,2091,100,4000,60000,3000",   # tax 40/亩, output 600/亩, 20 万元/tce
        f"{code(2)},乙材料有限公司,2091,100,1000,20000,4000",   # 10, 200, 5
        f"{code(3)},丙电子有限公司,2091,50,500,10000,500"))     # 10, 200, 20
    assert (result.created, result.updated, result.years) == (3, 0, [2091])
    ranking = mu_evaluation.ranking_for(session, 2091)
    # the park: tax 5500 ÷ 250 亩 = 22; output 90000 ÷ 250 = 360; output per energy 90000 ÷ 7500 = 12
    assert ranking.park == {"tax_per_mu": Decimal("22.00"), "output_per_mu": Decimal("360.00"),
                            "output_per_energy": Decimal("12.00")}
    first, second, third = ranking.rows
    # 甲: 50 × min(40/22, 2) + 30 × 600/360 + 20 × min(20/12, 2) = 90.91 + 50.00 + 33.33 = 174.24 → A
    assert (first.uscc, first.total, first.grade.code) == (code(1), Decimal("174.24"), "A")
    assert first.scores["tax_per_mu"].points == Decimal("90.91")
    # 丙: 50 × 10/22 + 30 × 200/360 + 20 × 20/12 = 22.73 + 16.67 + 33.33 = 72.73 → C
    assert (second.uscc, second.total, second.grade.code) == (code(3), Decimal("72.73"), "C")
    # 乙: 22.73 + 16.67 + 20 × 5/12 = 8.33 → 47.73 → D
    assert (third.uscc, third.total, third.grade.code, third.rank) == (code(2), Decimal("47.73"), "D", 3)

    # the same enterprise and year again: its figures are updated, not duplicated
    again = mu_evaluation.import_returns(session, supervisor,
                                         _csv(f"{code(2)},乙材料有限公司,2091,100,3000,40000,2000"))
    assert (again.created, again.updated) == (0, 1)
    assert [r.uscc for r in mu_evaluation.ranking_for(session, 2091).rows][1] == code(2)
    exported = mu_evaluation.ranking_csv(mu_evaluation.ranking_for(session, 2091))
    assert exported.startswith("\ufeff名次,统一社会信用代码") and "A类（优先发展类）" in exported
    assert "示例办法" in exported.splitlines()[-1], "the bundled method is illustrative and the export says so"


def test_a_gb18030_file_from_excel_is_read(session):
    content = "\n".join([HEADER, f"{code(7)},丁机械有限公司,2092,30,300,9000,600"]).encode("gb18030")
    mu_evaluation.import_returns(session, get_by_username(session, "supervisor"), content)
    assert [r.name for r in mu_evaluation.ranking_for(session, 2092).rows] == ["丁机械有限公司"]


@pytest.mark.parametrize(("rows", "expected"), [
    ([f"{code(1)[:-1]}X,甲公司,2093,10,1,1,1"], ["第2行“统一社会信用代码”：校验码错误"]),
    ([f"{code(1)},甲公司,2093,0,1,1,1"], ["第2行“用地面积（亩）”：应为大于0"]),
    ([f"{code(1)},甲公司,2093,10,-5,1,1"], ["第2行“实缴税收（万元）”：应为不小于0"]),
    ([f"{code(1)},甲公司,2093,10,很多,1,1"], ["第2行“实缴税收（万元）”"]),
    ([f"{code(1)},甲公司,2093,10,1,NaN,1"], ["第2行“工业总产值（万元）”"]),
    ([f"{code(1)},甲\x0b公司,2093,10,1,1,1"], ["第2行“企业名称”"]),
    ([f"{code(1)},甲公司,1899,10,1,1,1"], ["第2行“年度”：应为2000至2100之间的年份"]),
    ([f"{code(1)},甲公司,2093,10,1,1,1", f"{code(1)},甲公司,2093,11,1,1,1"], ["第3行：", "与第2行重复"]),
    ([f"{code(1)},甲公司,2093,10,1,1,1", f"{code(2)},乙公司,2093,10,1,1,0"], ["第3行“综合能耗（吨标准煤）”"]),
    ([], ["文件中没有数据行"]),
])
def test_a_wrong_cell_is_named_and_nothing_is_written(session, rows, expected):
    before = _count(session)
    with pytest.raises(mu_evaluation.ReturnsError) as refused:
        mu_evaluation.import_returns(session, get_by_username(session, "supervisor"), _csv(*rows))
    said = "；".join(refused.value.problems)
    assert all(part in said for part in expected), said
    assert _count(session) == before


def test_a_missing_column_or_a_binary_file_is_refused(session):
    supervisor = get_by_username(session, "supervisor")
    with pytest.raises(mu_evaluation.ReturnsError, match="缺少必需的列“综合能耗（吨标准煤）”"):
        mu_evaluation.import_returns(session, supervisor, _csv(f"{code(1)},甲公司,2093,10,1,1",
                                                               header=HEADER.rsplit(",", 1)[0]))
    with pytest.raises(mu_evaluation.ReturnsError, match="编码"):
        mu_evaluation.import_returns(session, supervisor, b"\xff\xfe\x00\x81\x00")


def test_a_method_whose_classes_do_not_descend_to_zero_is_refused():
    method = mu_evaluation.load_method().model_dump()
    with pytest.raises(ValidationError, match="best first"):
        mu_evaluation.Method.model_validate(method | {"classes": list(reversed(method["classes"]))})
    with pytest.raises(ValidationError, match="best first"):
        mu_evaluation.Method.model_validate(method | {"classes": method["classes"][:-1]})
