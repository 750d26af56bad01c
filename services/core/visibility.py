"""Row visibility, decided here and nowhere else: pages, API and exports all use these queries.

How far each role reaches is the access table's (``services.core.access``); this module turns a reach into
a row filter:

- 企业: its own enterprise's cases and mandates;
- 代办专员: cases of the projects under mandates assigned to it or led by it as 首席代办专员, and the
  mandates themselves;
- 部门审查员: cases with a step of its department (a joint step names several, "自然资源局、住房和城乡建设局")
  and cases on which it recorded an action;
- 督办管理员: everything.

Everyone also sees the cases they filed themselves.
"""

from sqlalchemy import and_, false, or_, true, union_all
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from services.cases.processes import handled_by
from services.core.access import Action, Reach, Resource, allowed, reach
from services.models import Application, Document, Mandate, Project, Step, StepAction, User


def readable_applications(user: User) -> SelectOfScalar[Application]:
    return select(Application).where(_application_filter(user))


def get_readable_application(session: Session, user: User, application_id: int) -> Application | None:
    return session.exec(readable_applications(user).where(Application.id == application_id)).first()


def readable_mandates(user: User) -> SelectOfScalar[Mandate]:
    """代办 mandates: an enterprise sees its own, an agent those assigned to it or of projects it leads."""
    scope = reach(user, Resource.mandate, Action.read)
    stmt = select(Mandate)
    if scope is Reach.all:
        return stmt
    if scope is Reach.own:
        return stmt.where(Mandate.enterprise_id == (user.enterprise_id or -1))
    if scope is Reach.mandated:
        return stmt.where(or_(col(Mandate.agent_id) == user.id, col(Mandate.project_id).in_(_led_projects(user))))
    return stmt.where(false())


def get_readable_mandate(session: Session, user: User, mandate_id: int) -> Mandate | None:
    return session.exec(readable_mandates(user).where(Mandate.id == mandate_id)).first()


def readable_projects(user: User) -> SelectOfScalar[Project]:
    """投资项目: the projects of the cases the user reads, and an enterprise's or its agent's projects with no case
    yet (a mandate names them)."""
    if reach(user, Resource.application, Action.read) is Reach.own:
        return select(Project).where(col(Project.enterprise_id) == (user.enterprise_id or -1))
    cases = readable_applications(user).with_only_columns(col(Application.project_id))
    mandated = readable_mandates(user).with_only_columns(col(Mandate.project_id))
    return select(Project).where(col(Project.id).in_(cases) | col(Project.id).in_(mandated))


def get_readable_document(session: Session, user: User, document_id: int) -> Document | None:
    visible_ids = readable_applications(user).with_only_columns(col(Application.id))
    visible_mandates = readable_mandates(user).with_only_columns(col(Mandate.id))
    readable = col(Document.application_id).in_(visible_ids) | col(Document.mandate_id).in_(visible_mandates)
    if allowed(user, Resource.statistics, Action.read):  # documents of no case or mandate: 部门月度通报
        readable = readable | (col(Document.application_id).is_(None) & col(Document.mandate_id).is_(None))
    stmt = select(Document).where(Document.id == document_id, readable)
    return session.exec(stmt).first()


def department_matches(department: str) -> ColumnElement[bool]:
    """Steps of ``department``, alone or as one of the departments of a joint step (joined by 、), as the process
    definitions name them (an indexed IN, not a text pattern over every step)."""
    return col(Step.department).in_(handled_by(department))


def _application_filter(user: User) -> ColumnElement[bool]:
    scope = reach(user, Resource.application, Action.read)
    if scope is Reach.all:
        return true()
    filed = col(Application.created_by_id) == user.id
    if scope is Reach.own:
        return col(Application.enterprise_id) == (user.enterprise_id or -1)
    if scope is Reach.mandated:
        return or_(filed, col(Application.id).in_(_mandated_cases(user)),
                   col(Application.project_id).in_(_led_projects(user)))
    if scope is Reach.department:
        acted = select(StepAction.application_id).where(StepAction.actor_id == user.id)
        conditions: list[ColumnElement[bool]] = [filed, col(Application.id).in_(acted)]
        if user.department:
            own_steps = select(Step.application_id).where(department_matches(user.department))
            conditions.append(col(Application.id).in_(own_steps))
        return or_(*conditions)
    return false()


def _mandated_cases(user: User):
    """Cases under mandates assigned to ``user``: the mandate's project by id, or by name while the mandate only
    names its project (no case linked it yet) — the rule ``services.agency.service`` applies to the workbench. Two
    look-ups united, each an equality join the database can index."""
    case, project = aliased(Application), aliased(Project)
    by_id = (select(case.id).join(Mandate, and_(col(Mandate.project_id) == case.project_id,
                                                col(Mandate.enterprise_id) == case.enterprise_id))
             .where(col(Mandate.agent_id) == user.id))
    by_name = (select(case.id).join(project, col(project.id) == case.project_id)
               .join(Mandate, and_(col(Mandate.project_name) == project.name,
                                   col(Mandate.enterprise_id) == case.enterprise_id))
               .where(col(Mandate.agent_id) == user.id, col(Mandate.project_id).is_(None)))
    return union_all(by_id, by_name)


def _led_projects(user: User):
    """Projects whose 首席代办专员 is ``user``."""
    return select(Project.id).where(Project.chief_agent_id == user.id)
