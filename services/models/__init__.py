"""All tables; importing this package registers them on ``SQLModel.metadata``."""

from services.models.agency import (
    AgencyItem,
    AgencyMode,
    Mandate,
    MandateEvent,
    MandateStatus,
    ProjectTier,
)
from services.models.application import Application, ApplicationStatus, Step, StepStatus
from services.models.audit import AuditEvent
from services.models.calendar import HolidayScheduleRecord
from services.models.document import Document, NumberSequence
from services.models.enterprise import Enterprise, Project
from services.models.land import (
    Comparator,
    IndustrialBase,
    MeasuredAt,
    Parcel,
    ParcelIndicator,
    RegionalAssessment,
    RegionalAssessmentParcel,
)
from services.models.review import (
    ActionKind,
    Attachment,
    ClockPause,
    Evaluation,
    StepAction,
    VerificationRecord,
)
from services.models.sign_in import RateLimit, SignInSession
from services.models.supervision import Escalation, LightSnapshot, Notification, StepLight
from services.models.system_fault import SystemFault
from services.models.users import Role, User

__all__ = [
    "ActionKind", "SystemFault", "AgencyItem", "AgencyMode", "Mandate", "MandateEvent", "MandateStatus", "ProjectTier",
    "Application", "ApplicationStatus", "Attachment", "AuditEvent", "ClockPause", "Comparator",
    "Document", "Enterprise", "Escalation", "Evaluation", "HolidayScheduleRecord", "IndustrialBase",
    "LightSnapshot", "RateLimit", "SignInSession",
    "MeasuredAt", "Notification", "NumberSequence", "Parcel", "ParcelIndicator", "Project", "RegionalAssessment",
    "RegionalAssessmentParcel", "Role", "Step", "StepAction", "StepLight", "StepStatus", "User", "VerificationRecord",
]
