"""Free text at the edge (``services.core.text``): the rules, their Chinese messages, and that every input
model of pages and API applies them — found by walking the code, so a new field cannot escape."""

import importlib
import typing

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from forms.errors import field_errors
from services.core import text
from services.core.ids import MAX_ID, parse_id
from services.standard_land.intake import StandardLandApplicationInput
from tests.samples import REPO, SAMPLE

INVISIBLE = ["项目\u000b名称", "项目\x01名称", "项目\x00名称", "项目名称\uffff\ufffe", "项目\ud800名称", "项目\x85名称"]

#: str fields whose values are codes checked by their own rules, not free text (field → why it is safe)
CODED = {
    "QuantityIn.unit": "must be one of the question's units (EiaFacts); never stored as typed",
    "DocumentIn.content_base64": "decoded strictly (ASCII base64 only, else 422); its size is the upload limit's",
}


@pytest.mark.parametrize("value", INVISIBLE)
def test_invisible_characters_are_refused_with_the_fields_name(value):
    with pytest.raises(ValidationError) as error:
        StandardLandApplicationInput.model_validate(dict(SAMPLE, project_name=value))
    message = field_errors(error.value)["project_name"]
    assert message in ("项目名称含有不可见的控制字符，请删除后重新提交",
                       "项目名称含有无法识别的字符（如U+FFFF），请删除后重新提交")


def test_the_rules():
    assert text.problem("智能传感器 生产基地（一期）") is None
    assert text.problem("第一行\n第二行\t缩进\r\n") == "text_line_break"
    assert text.problem("第一行\n第二行\t缩进\r\n", multiline=True) is None
    assert text.problem("a\x7fb", multiline=True) == "text_control"
    assert text.problem("\U0001fffe") == "text_noncharacter" and text.problem("\ufdd0") == "text_noncharacter"
    assert text.problem("😀 emoji and 𠀀 (plane 2) are text") is None
    one_line, lines = TypeAdapter(text.Text(8)), TypeAdapter(text.Text(20, min_length=0, multiline=True))
    assert one_line.validate_python("  名称  ") == "名称"
    assert lines.validate_python(" 甲\n乙 ") == "甲\n乙" and lines.validate_python("") == ""
    for adapter, value, kind in [(one_line, "甲\n乙", "text_line_break"), (one_line, "", "string_too_short"),
                                 (one_line, "长" * 9, "string_too_long"), (lines, "甲\x00乙", "text_control")]:
        with pytest.raises(ValidationError) as error:
            adapter.validate_python(value)
        assert error.value.errors()[0]["type"] == kind


def test_clean_for_plain_strings_in_services():
    assert text.clean("  续办理由充分 ", label="续办理由", max_length=10) == "续办理由充分"
    with pytest.raises(text.TextError, match="^续办理由含有不可见的控制字符，请删除后重新提交$"):
        text.clean("续办\x01理由", label="续办理由", max_length=500)
    with pytest.raises(text.TextError, match="不能超过500个字"):
        text.clean("长" * 200_000, label="续办理由", max_length=500)
    with pytest.raises(text.TextError, match="至少4个字"):
        text.clean("短", label="续办理由", max_length=500, min_length=4, short_message="请写明续办理由（至少4个字）")


def test_idempotency_keys_and_ids():
    assert text.check_key("6f1c2a9e-0d4b-4c1e-9d57-3f1e0c1b2a77") == "6f1c2a9e-0d4b-4c1e-9d57-3f1e0c1b2a77"
    for bad in ("k" * 65, "", "带中文", "a b", "a\x00b"):
        with pytest.raises(text.TextError, match="Idempotency-Key"):
            text.check_key(bad)
    assert parse_id("42") == 42 and parse_id(str(MAX_ID)) == MAX_ID
    assert [parse_id(v) for v in (str(MAX_ID + 1), "0", "-1", "", None, "1e3", "４２", "9" * 400)] == [None] * 8


def _input_models() -> list[type[BaseModel]]:
    """Every request model of pages and API: named *Input / *In, or an item of one (SupplementItem)."""
    found = {}
    for package in ("services", "forms"):
        for path in sorted((REPO / package).rglob("*.py")):
            name = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
            if ".migrations" in name:
                continue
            module = importlib.import_module(name)
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == name \
                        and (value.__name__.endswith(("Input", "In")) or value.__name__ == "SupplementItem"):
                    found[value.__name__] = value
    return list(found.values())


def _mentions_str(annotation) -> bool:
    if annotation is str:
        return True
    return any(_mentions_str(arg) for arg in typing.get_args(annotation) if not isinstance(arg, str | int))


def test_every_text_field_of_every_input_model_is_checked_and_bounded():
    models = _input_models()
    assert {"StandardLandApplicationInput", "EiaApplicationInput", "LandToStartInput", "MandateInput",
            "AgencyItemInput", "ParcelInput", "AssessmentInput", "IndicatorInput", "VerificationInput", "ActionIn",
            "SupplementItem", "DocumentIn"} <= {m.__name__ for m in models}
    escaped = []
    for model in models:
        for name, field in model.model_fields.items():
            if not _mentions_str(field.annotation) or f"{model.__name__}.{name}" in CODED:
                continue
            is_list = typing.get_origin(field.annotation) is list
            for value in [*INVISIBLE[:3], "长" * 100_000]:
                try:
                    model.model_validate({name: [value] if is_list else value})
                    escaped.append(f"{model.__name__}.{name} = {value[:8]!r}")
                except ValidationError as error:
                    if not any(e["loc"][:1] == (name,) for e in error.errors()):
                        escaped.append(f"{model.__name__}.{name} = {value[:8]!r}")
    assert escaped == []
