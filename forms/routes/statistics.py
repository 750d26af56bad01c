"""统计分析 for supervisors: on-time rates, durations and lights as SVG charts, each dataset as CSV."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlmodel import Session

from forms.deps import SessionDep, StaffUser, permit
from forms.security import verify_csrf
from forms.web import page, posted_form
from services.cases import faults
from services.charts import svg as charts
from services.core.access import Action, Resource
from services.models import User
from services.supervision import bulletin, statistics

router = APIRouter(include_in_schema=False)
LIGHT_SERIES = [(k, statistics.LIGHT_ZH[k], charts.COLOURS[k]) for k in statistics.LIGHTS]
WORKLOAD_SERIES = [("red", "红灯", charts.COLOURS["red"]), ("yellow", "黄灯", charts.COLOURS["yellow"]),
                   ("other", "绿灯及暂停", charts.COLOURS["green"])]
BUCKET_SERIES = [(b, statistics.BUCKET_ZH[b], c) for b, c in
                 zip(statistics.BUCKETS, ("#1d7a3a", "#0b4f9c", "#d9a300", "#c0262d"), strict=True)]


def _supervisor(user: User) -> None:
    permit(user, Resource.statistics, Action.read, "统计分析仅限督办管理员查看")


def _rate_bars(rows: list[dict], label, title: str) -> str:
    items = [(label(r), r["rate"], f"{r['rate'] * 100:.1f}%（{r['on_time']}/{r['completed']}）") for r in rows]
    return charts.horizontal_bars(items, title=title, max_value=1.0)


def _cards(session) -> list[dict]:
    by_dept = statistics.on_time_by_department(session)
    by_step = statistics.on_time_by_step(session)
    durations = statistics.duration_by_step(session)
    lights = statistics.open_by_light(session)
    trend = statistics.lights_over_time(session, days=30)
    workload = statistics.agent_workload(session)
    return [
        {"name": "on_time_by_department", "title": "各部门按期办结率", "rows": by_dept,
         "note": "已办结且有办结期限的环节中，在期限当日或之前办结的比例；括号内为按期数/办结数。",
         "svg": by_dept and _rate_bars(by_dept, lambda r: r["department"], "各部门按期办结率")},
        {"name": "on_time_by_step", "title": "各办理环节按期办结率", "rows": by_step,
         "note": "同上，按办理环节和承办部门分列。",
         "svg": by_step and _rate_bars(by_step, lambda r: f"{r['step']}（{r['department']}）",
                                       "各办理环节按期办结率")},
        {"name": "duration_by_step", "title": "办理用时与承诺时限", "rows": durations,
         "note": "已办结环节从开始到办结所用时间（扣除补正暂停的工作日），与承诺时限相比的分布；"
                 "标签中为平均用时/承诺时限。",
         "legend": BUCKET_SERIES,
         "svg": durations and charts.horizontal_stacked(
             [(f"{r['step']}（平均{r['average_days']:g}/限{r['limit_days']}{r['unit']}）", r) for r in durations],
             BUCKET_SERIES, title="办理用时与承诺时限")},
        {"name": "open_by_light", "title": "在办环节亮灯情况", "rows": lights,
         "note": "最近一次亮灯巡查时各部门在办环节的灯色；暂停为补正期间计时暂停。",
         "legend": LIGHT_SERIES,
         "svg": lights and charts.horizontal_stacked([(r["department"], r) for r in lights], LIGHT_SERIES,
                                                     title="在办环节亮灯情况")},
        {"name": "lights_over_time", "title": "近30日亮灯趋势", "rows": trend,
         "note": "每日亮灯巡查记录的在办环节数，按灯色分层；柱顶为当日合计。",
         "svg": trend and charts.stacked_bars([(f"{r['day'].month}-{r['day'].day}", r) for r in trend],
                                              LIGHT_SERIES, title="近30日亮灯趋势")},
        {"name": "agent_workload", "title": "代办专员工作量", "rows": workload,
         "note": "每位代办专员在办委托项下的在办环节，按最近一次亮灯巡查的灯色分层；标签中为在办委托数和待首次联系数。"
                 "指派新委托时系统建议在办工作最少的专员。",
         "legend": WORKLOAD_SERIES,
         "svg": workload and charts.horizontal_stacked(
             [(f"{r['agent']}（委托{r['mandates']}·待联系{r['contacts_due']}）", r) for r in workload],
             WORKLOAD_SERIES, title="代办专员工作量")},
    ]


@router.get("/statistics")
def statistics_page(request: Request, session: SessionDep, user: StaffUser):
    _supervisor(user)
    return _page(request, session, user, {}, {})


@router.post("/statistics/bulletins", dependencies=[Depends(verify_csrf)])
def issue_bulletin(request: Request, session: SessionDep, user: StaffUser,
                   values: Annotated[dict[str, str], Depends(posted_form)]):
    """A department's 月度通报 for an ended month, issued once (the same month again opens the first one)."""
    permit(user, Resource.statistics, Action.write, "部门月度通报由督办管理员出具")
    errors: dict[str, str] = {}
    department = values.get("department", "").strip()
    if department not in bulletin.departments():
        errors["department"] = "请从列表中选择被通报的部门"
    try:
        first_day = bulletin.ended_month(values.get("month", ""))
    except ValueError as error:
        errors["month"] = str(error)
    if errors:
        return _page(request, session, user, values, errors, status_code=422)
    document = bulletin.issue(session, department, first_day)
    session.commit()
    return RedirectResponse(f"/statistics#bulletin-{document.id}", status_code=303)


def _page(request: Request, session: Session, user: User, values: dict, errors: dict, status_code: int = 200):
    cards = _cards(session)
    for card in cards:
        card["svg"] = Markup(card["svg"]) if card["svg"] else None  # built from escaped text in services.charts.svg
        card["legend"] = Markup(charts.legend(card["legend"])) if card.get("legend") else None
    return page(request, "statistics.html", status_code=status_code, user=user, cards=cards,
                fault_counts=faults.counts(session), open_faults=faults.open_faults(session),
                fault_kind_zh=faults.KIND_ZH, bulletins=bulletin.recent(session),
                bulletin_departments=bulletin.departments(), values=values, errors=errors,
                default_month=f"{bulletin.last_month():%Y-%m}")


@router.get("/statistics/{name}.csv")
def statistics_csv(session: SessionDep, user: StaffUser, name: str):
    _supervisor(user)
    if name not in statistics.DATASETS:
        raise HTTPException(status_code=404, detail="没有这项统计数据")
    rows = statistics.DATASETS[name][0](session)
    body = "\ufeff" + statistics.csv_text(name, rows)
    return Response(body.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
