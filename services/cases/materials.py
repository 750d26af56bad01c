"""材料库 (一次提交、多次复用): what an enterprise has uploaded once, offered again in every later item.

The library is read from the enterprise's attachments across all its cases and projects (补正 material, the
环境影响报告表 handed in with an application): one entry per distinct file (sha256), its newest upload, with
name, type, size, date, hash, project and case. Handing one in again is ``services.core.uploads.reuse_attachment``.
"""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from services.models import Application, Attachment, Project

PURPOSES = {"supplement": "补正材料", "eia_document": "环评文件", "design_scheme": "设计方案"}


@dataclass(frozen=True)
class Material:
    attachment: Attachment
    case_no: str
    project_name: str

    @property
    def purpose_label(self) -> str:
        return PURPOSES.get(self.attachment.purpose, self.attachment.purpose)

    @property
    def label(self) -> str:
        """How the file is offered in a choice: name, date, hash prefix and where it came from."""
        a = self.attachment
        return f"{a.filename}（{a.uploaded_at:%Y-%m-%d} · {self.case_no} · sha256 {a.sha256[:8]}）"


def library(session: Session, enterprise_id: int | None, limit: int = 500) -> list[Material]:
    """The enterprise's distinct files, newest first."""
    if enterprise_id is None:
        return []
    rows = session.exec(select(Attachment, Application.case_no, Project.name)
                        .join(Application, col(Application.id) == Attachment.application_id)
                        .join(Project, col(Project.id) == Application.project_id)
                        .where(Application.enterprise_id == enterprise_id)
                        .order_by(col(Attachment.uploaded_at).desc(), col(Attachment.id).desc()))
    seen: set[str] = set()
    found = []
    for attachment, case_no, project_name in rows:
        if attachment.sha256 in seen:
            continue
        seen.add(attachment.sha256)
        found.append(Material(attachment, case_no, project_name))
        if len(found) >= limit:
            break
    return found
