"""Turn validation errors into one Chinese message per form field, naming the field."""

from pydantic import ValidationError

from services.intake import FIELD_LABELS


def field_errors(error: ValidationError | list[dict], labels: dict[str, str] | None = None) -> dict[str, str]:
    """Accepts a pydantic error or FastAPI's error list (whose locations start with body/query); ``labels``
    names the fields of forms other than the application form."""
    messages: dict[str, str] = {}
    items = error.errors() if isinstance(error, ValidationError) else error
    for item in items:
        loc = [str(x) for x in item["loc"] if x not in ("body", "query", "path", "header")]
        field = ".".join(loc[:2]) if loc[:1] == ["planned_indicators"] else (loc[0] if loc else "__all__")
        messages.setdefault(field, _message(field, item, labels or FIELD_LABELS))
    return messages


def _message(field: str, item: dict, labels: dict[str, str]) -> str:
    label, kind, ctx = labels.get(field.split(".")[0], field), item["type"], item.get("ctx") or {}
    if kind == "missing" or kind == "string_too_short":
        return f"请填写{label}" if field != "parcel_id" else "请选择意向地块"
    if kind == "string_too_long":
        return f"{label}不能超过{ctx.get('max_length')}个字"
    if kind == "greater_than":
        return f"{label}必须大于{ctx.get('gt')}"
    if kind == "greater_than_equal":
        return f"{label}不能为负数"
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
