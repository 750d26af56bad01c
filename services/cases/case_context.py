"""What every filing of a case prints: issuer, enterprise, case and project, and the parcel as shown.

Shared by the document contexts of every process (标准地, 环评, verification, 督办).
"""

from datetime import datetime
from typing import Any

from sqlmodel import Session

from services.core.settings import get_settings
from services.core.units import m2_to_mu
from services.models import Application, Enterprise, IndustrialBase, Parcel, Project


def common_context(session: Session, application: Application, number: str, issued_at: datetime) -> dict[str, Any]:
    enterprise = session.get_one(Enterprise, application.enterprise_id)
    project = session.get_one(Project, application.project_id)
    return {"number": number, "issuer": get_settings().issuer_name, "issued_on": issued_at.date(),
            "enterprise_name": enterprise.name, "uscc": enterprise.uscc, "case_no": application.case_no,
            "project_name": project.name}


def parcel_view(session: Session, parcel: Parcel) -> dict[str, str]:
    base = session.get_one(IndustrialBase, parcel.base_id)
    return {"number": parcel.number, "base_name": base.name, "location": parcel.location,
            "area_m2": f"{parcel.area_m2:f}", "area_mu": f"{m2_to_mu(parcel.area_m2, 2):f}",
            "land_use": parcel.land_use}
