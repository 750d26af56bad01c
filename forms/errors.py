"""Turn validation errors into one Chinese message per form field, naming the field."""

from pydantic import ValidationError

from services.core import text
from services.standard_land.intake import FIELD_LABELS

#: fields of the API's bodies besides the application form's (decisions, ids in paths and queries)
COMMON_LABELS = {"reasons": "理由", "justification": "再次补正的理由", "items": "补正材料", "kind": "处理类型",
                 "application_id": "申请编号", "document_id": "文书编号", "parcel_id": "地块编号",
                 "step_key": "办理环节", "Idempotency-Key": "防重复提交编号（Idempotency-Key）",
                 "idempotency_key": "防重复提交编号", "reason": "理由", "measures": "已采取的措施",
                 "promised_on": "预计办结日期", "accept": "审核结论"}

#: a body that cannot be read at all; FastAPI's own English answers for it, said in Chinese
UNREADABLE_JSON = "请求内容不是有效的JSON，请按UTF-8编码发送JSON对象"
FRAMEWORK_DETAILS_ZH = {"There was an error parsing the body": "请求内容无法解析：请按UTF-8编码发送JSON或表单"}


def field_errors(error: ValidationError | list[dict], labels: dict[str, str] | None = None) -> dict[str, str]:
    """Accepts a pydantic error or FastAPI's error list (whose locations start with body/query); ``labels``
    names the fields of forms other than the application form."""
    messages: dict[str, str] = {}
    items = error.errors() if isinstance(error, ValidationError) else error
    for item in items:
        if item["type"] == "json_invalid":  # the body is not JSON at all: no field to name, only where it broke
            messages.setdefault("__all__", f"{UNREADABLE_JSON}（第{int(item['loc'][-1]) + 1}个字符附近有误）")
            continue
        loc = [str(x) for x in item["loc"] if x not in ("body", "query", "path", "header")]
        field = ".".join(loc[:2]) if loc[:1] == ["planned_indicators"] else (loc[0] if loc else "__all__")
        messages.setdefault(field, _message(field, item, labels or COMMON_LABELS | FIELD_LABELS))
    return messages


def in_form_order(errors: dict[str, str], order: list[str]) -> dict[str, str]:
    """The errors in the order the form asks (``planned_indicators.x`` where ``planned_indicators`` is),
    so the error summary reads top to bottom; fields the order does not know come last."""
    def place(field: str) -> int:
        name = field.split(".")[0]
        return order.index(name) if name in order else len(order)
    return dict(sorted(errors.items(), key=lambda item: place(item[0])))


def _message(field: str, item: dict, labels: dict[str, str]) -> str:
    label, kind, ctx = labels.get(field.split(".")[0], field), item["type"], item.get("ctx") or {}
    if (kind == "missing" or kind == "string_too_short") and field == "parcel_id":
        return "请选择意向地块"
    if message := text.message_zh(label, item):
        return message
    if kind == "less_than_equal":
        return f"{label}不能大于{ctx.get('le')}"
    if kind == "greater_than":
        return f"{label}必须大于{ctx.get('gt')}"
    if kind == "greater_than_equal":
        return f"{label}不能为负数" if str(ctx.get("ge")) == "0" else f"{label}不能小于{ctx.get('ge')}"
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return f"{label}请填写有效日期，如2027-03-01"
    if kind in ("decimal_parsing", "decimal_type", "float_parsing"):
        return f"{label}请填写数字"
    if kind == "int_parsing":
        return f"{label}请从列表中选择" if field == "parcel_id" else f"{label}请填写整数"
    if kind == "decimal_max_places":
        return f"{label}最多保留{ctx.get('decimal_places')}位小数"
    if kind == "decimal_max_digits":
        return f"{label}数值过大"
    if kind in ("enum", "literal_error"):
        return f"{label}请从列表中选择"
    if kind == "value_error":
        return str(ctx.get("error", item["msg"]))
    return f"{label}填写有误"
