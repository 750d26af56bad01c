"""All tables; importing this package registers them on ``SQLModel.metadata``."""

from services.models.application import Application, ApplicationStatus, Step, StepStatus
from services.models.audit import AuditEvent
from services.models.calendar import HolidayScheduleRecord
from services.models.document import Document, NumberSequence
from services.models.enterprise import Enterprise, Project
from services.models.land import IndustrialBase, Parcel
from services.models.users import LoginFailure, Role, User

__all__ = [
    "Application", "ApplicationStatus", "AuditEvent", "Document", "Enterprise", "HolidayScheduleRecord",
    "IndustrialBase", "LoginFailure", "NumberSequence", "Parcel", "Project", "Role", "Step", "StepStatus",
    "User",
]
