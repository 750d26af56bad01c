"""Finding cases (案件查询): words and filters over the cases a user may read, a page at a time.

The words match a case number, an enterprise's name or 统一社会信用代码, a project's name or a parcel's
宗地编号; the filters are the process family (标准地, 环评, 拿地即开工), the status, the light of an open step,
a department with an open step, and the submission dates. Everything starts from
``visibility.readable_applications``, so a search never finds a case its user may not read.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import exists, func, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from services.cases.steps import OPEN
from services.core import text
from services.core.visibility import department_matches, readable_applications
from services.models import Application, ApplicationStatus, Enterprise, Parcel, Project, Step, StepLight, User

PAGE_SIZE = 50
#: process families as people name them → the process keys they cover
PROCESSES = {"standard_land": "标准地预评估", "eia": "环评", "land_to_start": "拿地即开工"}
LIGHTS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "paused": "暂停计时"}
STATUSES = {s.value: s.label_zh for s in ApplicationStatus}


@dataclass(frozen=True)
class CaseQuery:
    words: str = ""
    process: str = ""
    status: str = ""
    light: str = ""
    department: str = ""
    since: date | None = None
    until: date | None = None
    page: int = 1

    def as_params(self) -> dict[str, str]:
        """The filters as query parameters (for paging links and the Excel export), empty ones left out."""
        values = {"q": self.words, "process": self.process, "status": self.status, "light": self.light,
                  "department": self.department, "since": self.since.isoformat() if self.since else "",
                  "until": self.until.isoformat() if self.until else ""}
        return {k: v for k, v in values.items() if v}


@dataclass
class CasePage:
    applications: list[Application]
    total: int
    page: int
    pages: int


def parse(values: Mapping[str, str]) -> tuple[CaseQuery, dict[str, str]]:
    """A query from the page's or the API's parameters; what cannot be understood is named in Chinese by field
    and left out of the query (the list still shows, with the message)."""
    errors: dict[str, str] = {}

    def choice(name: str, allowed: Mapping[str, str], label: str) -> str:
        value = values.get(name, "").strip()
        if value and value not in allowed:
            errors[name] = f"{label}只能是：" + "、".join(allowed.values())
            return ""
        return value

    def day(name: str, label: str) -> date | None:
        value = values.get(name, "").strip()
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            errors[name] = f"{label}请按“年-月-日”填写，例如 2026-12-01"
            return None

    def words_of(name: str, label: str) -> str:
        try:
            return text.clean(values.get(name, ""), label=label, max_length=64)
        except text.TextError as error:
            errors[name] = error.message
            return ""

    since, until = day("since", "提交日期（起）"), day("until", "提交日期（止）")
    if since and until and since > until:
        errors["until"] = "提交日期（止）不能早于提交日期（起）"
        until = None
    raw_page = values.get("page", "1").strip() or "1"
    page = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) < 100_000 else 1
    query = CaseQuery(words=words_of("q", "查询内容"), process=choice("process", PROCESSES, "申请事项"),
                      status=choice("status", STATUSES, "状态"), light=choice("light", LIGHTS, "亮灯"),
                      department=words_of("department", "办理部门"),
                      since=since, until=until, page=page)
    return query, errors


def matching(user: User, query: CaseQuery) -> SelectOfScalar[Application]:
    """The readable cases that match, newest first (no paging)."""
    stmt = readable_applications(user)
    if query.words:
        stmt = stmt.where(col(Application.id).in_(_cases_with_words(query.words)))
    if query.process:
        stmt = stmt.where(col(Application.process_key).startswith(query.process))
    if query.status:
        stmt = stmt.where(Application.status == query.status)
    if query.light:
        stmt = stmt.where(exists().where(col(StepLight.application_id) == Application.id,
                                         col(StepLight.light) == query.light))
    if query.department:
        stmt = stmt.where(exists().where(col(Step.application_id) == Application.id, col(Step.status).in_(OPEN),
                                         department_matches(query.department)))
    if query.since:
        stmt = stmt.where(col(Application.submitted_at) >= datetime.combine(query.since, time.min))
    if query.until:
        stmt = stmt.where(col(Application.submitted_at) < datetime.combine(query.until + timedelta(days=1), time.min))
    return stmt.order_by(col(Application.id).desc())


def _cases_with_words(words: str):
    """Ids of the cases whose number, enterprise (name, USCC), project name or parcel number holds ``words``: one
    look-up per table, each served by its own index (pg_trgm on PostgreSQL), united — never a scan of every case."""
    case = aliased(Application)
    enterprises = select(Enterprise.id).where(_holds(Enterprise.name, words))
    lookups = [select(case.id).where(col(case.enterprise_id).in_(enterprises)),
               select(case.id).where(col(case.project_id).in_(select(Project.id).where(_holds(Project.name, words))))]
    if words.isascii():  # case numbers, USCCs and parcel numbers are written in ASCII: Chinese words skip them
        on_parcels = select(Project.id).join(Parcel, col(Parcel.id) == Project.parcel_id).where(
            _holds(Parcel.number, words))
        lookups += [select(case.id).where(_holds(case.case_no, words)),
                    select(case.id).where(col(case.enterprise_id).in_(select(Enterprise.id).where(
                        _holds(Enterprise.uscc, words)))),
                    select(case.id).where(col(case.project_id).in_(on_parcels))]
    return union_all(*lookups)  # IN removes the duplicates; no sort or hash of the united ids


def _holds(column, words: str):
    """``column`` contains ``words`` as typed (LIKE wildcards searched as themselves); regardless of case only when
    the words have letters with a case — ILIKE costs four times LIKE on Chinese text."""
    like = f"%{_escaped(words)}%"
    cased = words.lower() != words.upper()
    return col(column).ilike(like, escape="\\") if cased else col(column).like(like, escape="\\")


def search(session: Session, user: User, query: CaseQuery, page_size: int = PAGE_SIZE) -> CasePage:
    """One page of the matching cases and how many match in all; a page past the end shows the last one.

    With words, the count rides along with the page as a window (one pass over the few matches); without, a
    separate count is cheaper than numbering every readable case."""
    stmt = matching(user, query)
    rows = _page_of(session, stmt, query.page, page_size) if query.words else []
    # with words, an empty first page means nothing matches; otherwise count
    total = rows[0][1] if rows else 0 if query.words and query.page == 1 else count(session, stmt)
    pages = max(1, -(-total // page_size))
    page = min(query.page, pages)
    if not rows and total:
        rows = [(application, total) for application in session.exec(
            stmt.offset((page - 1) * page_size).limit(page_size))]
    return CasePage([application for application, _ in rows], total, page, pages)


def count(session: Session, stmt: SelectOfScalar[Application]) -> int:
    """How many cases ``stmt`` (a ``matching`` query) finds."""
    return session.exec(select(func.count()).select_from(stmt.order_by(None).subquery())).one()


def _page_of(session: Session, stmt: SelectOfScalar[Application], page: int, page_size: int) -> list:
    counted = stmt.add_columns(func.count().over().label("total"))  # rows of (case, total): not scalars
    return [(row[0], row[1]) for row in session.execute(counted.offset((page - 1) * page_size).limit(page_size))]


def _escaped(words: str) -> str:
    """LIKE wildcards typed by a person are searched for as themselves."""
    return words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
