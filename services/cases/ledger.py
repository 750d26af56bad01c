"""台账 (ledger): the cases a person found, as an Excel workbook they can file, sort and forward.

openpyxl writes the .xlsx; every cell is written as text or a date (never a formula, even when a name starts
with "="), with the filters on a second sheet so a printed ledger says what it lists.
"""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from services.cases.search import LIGHTS, PROCESSES, STATUSES, CaseQuery
from services.core.formatting import format_date_zh
from services.supervision.dashboard import ApplicationRow

#: the most rows one export carries (a narrower filter gets the rest)
MAX_ROWS = 10_000
COLUMNS = [("案件编号", 22), ("申请事项", 26), ("申请企业", 30), ("统一社会信用代码", 22), ("项目", 30),
           ("状态", 14), ("当前环节", 20), ("办结期限", 16), ("提交时间", 18)]


def applications_workbook(rows: list[ApplicationRow], usccs: dict[int, str], query: CaseQuery, total: int,
                          made_by: str, made_at: str) -> bytes:
    """The workbook: sheet 案件台账 (one row per case) and sheet 查询条件 (filters, count, who and when)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("案件台账")
    for index, (_, width) in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_text(sheet, title, bold=True) for title, _ in COLUMNS])
    for row in rows:
        application = row.application
        sheet.append([_text(sheet, value) for value in (
            application.case_no, application.title, row.enterprise_name, usccs.get(application.enterprise_id, ""),
            row.project_name, application.status.label_for(application.process_key), row.next_step_name or "",
            (format_date_zh(row.next_due) + ("（暂定）" if row.next_due_provisional else "")) if row.next_due else "",
            application.submitted_at.strftime("%Y-%m-%d %H:%M"))])
    about = book.create_sheet("查询条件")
    for label, value in _conditions(query) + [
            ("符合条件的案件", f"{total}件" + (f"（本表列出最新的{len(rows)}件）" if total > len(rows) else "")),
            ("导出人", made_by), ("导出时间", made_at)]:
        about.append([_text(about, label, bold=True), _text(about, value)])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _conditions(query: CaseQuery) -> list[tuple[str, str]]:
    return [("查询内容", query.words or "（全部）"), ("申请事项", PROCESSES.get(query.process, "（全部）")),
            ("状态", STATUSES.get(query.status, "（全部）")), ("亮灯", LIGHTS.get(query.light, "（全部）")),
            ("办理部门", query.department or "（全部）"),
            ("提交日期", f"{format_date_zh(query.since) if query.since else '不限'} 至 "
                         f"{format_date_zh(query.until) if query.until else '不限'}")]


def _text(sheet: Worksheet, value: str, bold: bool = False) -> WriteOnlyCell:
    """A text cell that stays text: openpyxl would store a string starting with "=" as a formula."""
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell
