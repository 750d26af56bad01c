"""Who may do what (权限表): one table of role × resource × action, read by pages, API and exports.

Each entry says how far a role reaches over the records of a resource (``Reach``); a role that is not
listed reaches nothing. ``services.core.visibility`` turns the reach into the row filter of every list
and look-up, and the routes ask ``allowed`` before they act, so changing a cell here changes both.
``tests/e2e/test_access_matrix.py`` walks every route of the app as every role against this table.

Glossary: 企业 (enterprise clerk), 代办专员 (agent), 部门审查员 (department reviewer), 督办管理员
(supervisor), 系统管理员 (administrator: any staff account with ``is_admin``; it manages accounts and reads
the audit trail, and sees cases only as far as its role reaches).
"""

from enum import StrEnum
from typing import Protocol

from services.core.user_models import Role


class Resource(StrEnum):
    application = "application"          # 申请/案件, with its steps, documents and attachments
    step = "step"                        # a human step of a case (办理环节)
    mandate = "mandate"                  # 代办委托, with its documents
    review_queue = "review_queue"        # 待办审查 (open human steps)
    workbench = "workbench"              # 代办工作台
    parcel = "parcel"                    # 标准地地块 as offered (read through the API)
    catalogue = "catalogue"              # 地块目录与区域评估 (the staff's catalogue pages)
    agency_catalogue = "agency_catalogue"  # 代办事项目录
    statistics = "statistics"            # 统计分析
    audit = "audit"                      # 审计记录
    accounts = "accounts"                # 账户管理
    notification = "notification"        # 消息 (a user's own)
    escalation = "escalation"            # 督办: the department's written reply, the supervisor's verdict on it
    document = "document"                # an issued 文书 as such: 作废 (revocation); reading it goes with its case


class Action(StrEnum):
    read = "read"
    create = "create"          # file a new case / sign a mandate
    decide = "decide"          # a department's decision on a step
    supplement = "supplement"  # the applicant's 补正 and uploads on a step
    verify = "verify"          # 对标验收/达产复核 records
    manage = "manage"          # assign agents, set project tiers, edit catalogues, manage accounts
    write = "write"


class Reach(StrEnum):
    none = "none"
    own = "own"                # the user's enterprise's records, or the user's own (messages, workbench)
    department = "department"  # cases with a step of the user's department, or one the user acted on
    mandated = "mandated"      # cases of projects under mandates assigned to the agent or led as 首席代办
    all = "all"


E, A, R, S = Role.enterprise, Role.agent, Role.reviewer, Role.supervisor
NONE, OWN, DEPARTMENT, MANDATED, ALL = Reach.none, Reach.own, Reach.department, Reach.mandated, Reach.all

#: the table: (resource, action) → reach per role; a missing role reaches nothing
RULES: dict[tuple[Resource, Action], dict[Role, Reach]] = {
    (Resource.application, Action.read): {E: OWN, A: MANDATED, R: DEPARTMENT, S: ALL},
    (Resource.application, Action.create): {E: OWN, A: MANDATED},
    (Resource.application, Action.verify): {S: ALL},
    (Resource.step, Action.decide): {R: DEPARTMENT, S: ALL},
    (Resource.step, Action.supplement): {E: OWN, A: MANDATED},
    (Resource.mandate, Action.read): {E: OWN, A: MANDATED, S: ALL},
    (Resource.mandate, Action.create): {E: OWN},
    (Resource.mandate, Action.manage): {S: ALL},
    (Resource.review_queue, Action.read): {A: DEPARTMENT, R: DEPARTMENT, S: ALL},
    (Resource.workbench, Action.read): {A: OWN, S: ALL},
    (Resource.parcel, Action.read): {E: ALL, A: ALL, R: ALL, S: ALL},
    (Resource.catalogue, Action.read): {A: ALL, R: ALL, S: ALL},
    (Resource.catalogue, Action.write): {S: ALL},
    (Resource.agency_catalogue, Action.read): {E: ALL, A: ALL, R: ALL, S: ALL},
    (Resource.agency_catalogue, Action.write): {S: ALL},
    (Resource.statistics, Action.read): {S: ALL},
    (Resource.statistics, Action.write): {S: ALL},  # issue a department's 月度通报
    (Resource.audit, Action.read): {S: ALL},
    (Resource.accounts, Action.manage): {},  # administrators only (``ADMIN_RULES``), whatever their role
    (Resource.notification, Action.read): {E: OWN, A: OWN, R: OWN, S: OWN},
    (Resource.escalation, Action.read): {A: MANDATED, R: DEPARTMENT, S: ALL},  # a case's 督办 and the replies
    (Resource.escalation, Action.write): {R: DEPARTMENT},  # 书面回复 by the step's department
    (Resource.escalation, Action.decide): {S: ALL},  # 接受 / 不予接受 a reply
    (Resource.document, Action.manage): {S: ALL},  # 作废 an issued document, with a reason
}

#: what an administrator (系统管理员, ``User.is_admin`` on a staff account) reaches besides its role's reach
ADMIN_RULES: dict[tuple[Resource, Action], Reach] = {
    (Resource.accounts, Action.manage): ALL,
    (Resource.audit, Action.read): ALL,
}


class Actor(Protocol):
    """Whoever asks: an account (``User``) or the signed-in summary the page header keeps."""

    @property
    def role(self) -> Role: ...

    @property
    def is_admin(self) -> bool: ...


def reach(user: Actor, resource: Resource, action: Action) -> Reach:
    """How far ``user`` reaches for ``action`` on ``resource``: the wider of its role's and its admin grant."""
    by_role = RULES[(resource, action)].get(user.role, NONE)
    if user.is_admin and user.role.is_staff and ADMIN_RULES.get((resource, action)) is ALL:
        return ALL
    return by_role


def allowed(user: Actor, resource: Resource, action: Action) -> bool:
    """Whether ``user`` may do ``action`` on some records of ``resource`` (which ones: ``visibility``)."""
    return reach(user, resource, action) is not NONE
