"""How a project is named where a person picks one (项目下拉选择): its name with its parcel and its first case
number, so that two projects of one enterprise with the same name (a second phase, a re-filed project) are
never confused."""

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from services.core.ids import stored_id
from services.models import Application, Parcel, Project


def labels(session: Session, projects: Sequence[Project]) -> dict[int, str]:
    """Project id → e.g. ``智能传感器生产基地项目（地块 DG-SH-IM-2026-01 · GC-2026-000123）``; two queries in all."""
    ids = [stored_id(p) for p in projects]
    if not ids:
        return {}
    parcels: dict[int, str] = {project_id: number for project_id, number in session.exec(
        select(Project.id, Parcel.number).join(Parcel, col(Parcel.id) == Project.parcel_id)
        .where(col(Project.id).in_(ids))) if project_id is not None}
    first_cases: dict[int, str] = {project_id: case_no for project_id, case_no in session.exec(
        select(Application.project_id, func.min(Application.case_no)).where(col(Application.project_id).in_(ids))
        .group_by(col(Application.project_id)))}
    named = {}
    for project in projects:
        project_id = stored_id(project)
        details = [f"地块 {parcels[project_id]}" if project_id in parcels else "未选地块", first_cases.get(project_id)]
        named[project_id] = f"{project.name}（{' · '.join(d for d in details if d)}）"
    return named
