"""All tables; importing this package registers them on ``SQLModel.metadata``."""

from services.agency.models import (
    AgencyItem,
    AgencyMode,
    Mandate,
    MandateEvent,
    MandateStatus,
    ProjectTier,
)
from services.calendar.models import HolidayScheduleRecord
from services.cases.enterprise_models import Enterprise, Project
from services.cases.fault_models import SystemFault
from services.cases.models import Application, ApplicationStatus, Step, StepStatus
from services.cases.review_models import (
    ActionKind,
    Attachment,
    ClockPause,
    Evaluation,
    StepAction,
    VerificationRecord,
)
from services.core.audit_models import AuditEvent
from services.core.file_models import StoredFile
from services.core.sign_in_models import RateLimit, SignInSession
from services.core.user_models import Role, User
from services.documents.models import Document, NumberSequence
from services.integrations.models import IntegratorToken
from services.land_to_start.design_scheme_models import DesignScheme, DesignSchemeDecision
from services.standard_land.compliance_models import ComplianceCheck
from services.standard_land.models import (
    Comparator,
    IndustrialBase,
    MeasuredAt,
    Parcel,
    ParcelIndicator,
    RegionalAssessment,
    RegionalAssessmentParcel,
)
from services.standard_land.mu_return_models import MuAnnualReturn
from services.supervision.models import Escalation, EscalationReply, LightSnapshot, Notification, StepLight

__all__ = [
    "ActionKind", "SystemFault", "AgencyItem", "AgencyMode", "Mandate", "MandateEvent", "MandateStatus", "ProjectTier",
    "Application", "ApplicationStatus", "Attachment", "AuditEvent", "ClockPause", "Comparator",
    "DesignScheme", "DesignSchemeDecision", "Document", "Enterprise", "Escalation", "EscalationReply", "Evaluation",
    "HolidayScheduleRecord",
    "IndustrialBase", "IntegratorToken", "LightSnapshot", "RateLimit", "SignInSession",
    "MeasuredAt", "Notification", "NumberSequence", "Parcel", "ParcelIndicator", "Project", "RegionalAssessment",
    "RegionalAssessmentParcel", "Role", "Step", "StepAction", "StepLight", "StepStatus", "StoredFile", "User",
    "VerificationRecord", "ComplianceCheck", "MuAnnualReturn",
]
