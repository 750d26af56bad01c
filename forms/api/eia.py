"""JSON API v1: EIA classification (环评分类) and the wizard's questions, for any signed-in user.

The rules live in ``services/eia/rules.py`` and its data files; this module only speaks HTTP.
Validation errors of this router are answered as ``422 {detail, errors: {field: 中文}}`` with field
paths such as ``facts.foo`` or ``industry_codes.0.code``.
"""

import base64
import uuid
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from flows.dispatch import enqueue
from forms.deps import ApiUser, ApplicantApiUser, SessionDep
from forms.params import IdempotencyKey
from services.core.ids import Id, stored_id
from services.core.text import Checked
from services.eia import eligibility as eia_eligibility
from services.eia import exemption as eia_exemption
from services.eia import rules as eia
from services.eia import service as eia_service
from services.models import Project

INVALID = "环评分类信息校验失败"


class _ChineseErrors(APIRoute):
    """Answer request validation errors of these routes with one Chinese message per field."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as error:
                return JSONResponse({"detail": INVALID, "errors": eia.errors_zh(error.errors())}, status_code=422)
            except eia.EiaFactsError as error:
                return JSONResponse({"detail": INVALID, "errors": error.errors}, status_code=422)

        return route


router = APIRouter(prefix="/api/v1/eia", tags=["eia"], route_class=_ChineseErrors)


Level = Literal["report_book", "report_form", "registration", "not_managed"]


class AmountRangeOut(BaseModel):
    range_zh: str = Field(description="可能用量的区间，如 “≥ 10 t/a”")
    level: Level
    level_zh: str


class UnknownAmountOut(BaseModel):
    """A quantity answered 用量未知 (``{"unknown": true, "unit": …}``): the level each possible amount gives."""

    key: str
    question: str
    unit: str
    ranges: list[AmountRangeOut] = Field(description="从小到大；相邻且级别相同的区间已合并")
    decided_for_zh: str = Field(description="the range whose (most demanding) level was decided")
    explanation_zh: str


class ListSourceOut(BaseModel):
    """出处 of a route list (正面清单 / 豁免名录 / 简化环评内容清单)."""

    source: str = Field(description="the document the list reproduces (name and number)")
    published_on: str | None = Field(description="its publication date (ISO); may be null for the bundled example")
    illustrative: bool = Field(description="true: the system's example, not the park's published list")
    note_zh: str = Field(description="the sentence to show: 系统示例配置… or the source and date")


class ExemptionEntryOut(BaseModel):
    key: str
    title: str
    condition_zh: str
    source: str
    inferred: bool = Field(description="true: the entry's wording or code mapping is the system's reading")


class ExemptionOut(BaseModel):
    """豁免环评手续: whether an exemption-list entry covers the project (never a 报告书 project)."""

    applies: bool
    explanation_zh: str
    version: str
    entry: ExemptionEntryOut | None = None
    checked: list[dict[str, Any]] = []
    questions_unanswered: list[str] = Field(default=[], description="answers an entry still needs")
    list: ListSourceOut


class ClassificationOut(BaseModel):
    level: Level = Field(description="用量未知时：各可能用量中最高的级别")
    level_zh: str
    catalogue_version: str
    complete: bool
    questions_unanswered: list[str] = []
    rows: list[int] = []
    unknown_amounts: list[UnknownAmountOut] = []
    trail: list[dict[str, Any]]
    exemption: ExemptionOut


class ConditionOut(BaseModel):
    key: str
    met: bool
    explanation_zh: str


class EligibilityOut(BaseModel):
    """告知承诺制 eligibility, with the positive list's provenance."""

    eligible: bool
    conditions: list[ConditionOut]
    config_version: str
    catalogue_version: str
    level: Level
    voluntary_zh: str
    positive_list: ListSourceOut


class SimplifiedOut(BaseModel):
    """简化环评内容 where a valid plan EIA covers the project, and 打捆审批 as an explanation."""

    available: bool
    explanation_zh: str
    version: str
    contents: list[dict[str, str]] = Field(description="[{key, text_zh}]: contents that may cite the plan EIA")
    bundling: dict[str, Any] | None = Field(description="{text_zh, source, inferred} when available")
    list: ListSourceOut


class AssessmentOut(BaseModel):
    classification: ClassificationOut
    eligibility: EligibilityOut
    simplified: SimplifiedOut
    plan_eia: dict[str, Any] = Field(description="{done, reason}: the parcel's plan EIA check")
    versions: dict[str, str]


class AssessmentIn(BaseModel):
    project_id: Id
    facts: eia.EiaFacts


class QuestionOut(BaseModel):
    key: str
    kind: Literal["bool", "quantity", "parts"]
    question: str
    help: str
    target: str
    rows: list[int]
    optional: bool
    units: list[str] | None = None
    parts: dict[str, str] | None = None


class QuestionsOut(BaseModel):
    catalogue_version: str
    codes: list[str]
    questions: list[QuestionOut]


_ERROR_422 = {"description": "invalid facts: `errors` maps field → Chinese message", "content": {"application/json": {
    "example": {"detail": INVALID, "errors": {
        "facts.foo": "工艺问题“foo”（facts.foo）不是本环评分类配置（national-2021）定义的是/否问题",
        "industry_codes.0.code": "第1个行业代码（industry_codes.0.code）：行业代码应为4位数字"}}}}}


@router.post("/classify", response_model=ClassificationOut, responses={422: _ERROR_422})
def classify(user: ApiUser, facts: Annotated[eia.EiaFacts, Body(openapi_examples=eia.EXAMPLE_FACTS)]):
    """The EIA level under the 2021 catalogue (报告书 / 报告表 / 登记表 / 不纳入环评管理) with the reason trail.

    Each trail entry names the catalogue row matched (by GB/T 4754 prefix), the level and condition that
    fired or why none did, and the answers used; the last entry applies art. 4 (highest level across rows)
    or art. 5 (not listed → not managed). Answers a matched row needs but that are missing are assumed
    ("否", 0) and listed in ``questions_unanswered``; the trail states each assumption. A quantity answered
    ``{"unknown": true, "unit": …}`` (用量未知) is not assumed: ``unknown_amounts`` gives the level of each
    possible amount and ``level`` is the most demanding of them.
    """
    classification = eia.classify(facts)
    exemptions = eia_exemption.load_exemption_list(eia_eligibility.current_config().exemption_file or None)
    return classification.to_dict() | {"exemption": eia_exemption.check_exemption(classification, facts,
                                                                                  exemptions).to_dict()}


@router.post("/assessment", response_model=AssessmentOut, responses={
    403: {"description": "not an enterprise account, nor an agent (staff assess no project here)"},
    404: {"description": "not a project of this enterprise (or of the agent's mandates)"}, 422: _ERROR_422})
def assessment(session: SessionDep, user: ApplicantApiUser, body: AssessmentIn):
    """What the wizard's result shows for one of the applicant's projects: the level with its 豁免 check, the
    告知承诺制 eligibility (the parcel's plan EIA included) and 简化环评内容. Each list carries its provenance
    (``list`` / ``positive_list``): ``illustrative`` true means the system's example, not the park's published list."""
    project = session.get(Project, body.project_id)
    if project is None or project not in eia_service.projects_of(session, user):
        return JSONResponse({"detail": "项目不存在或不属于本企业", "errors": {
            "project_id": "请选择本企业（或您受托代办）的建设项目"}}, status_code=404)
    return eia_service.classify(session, project, body.facts)


@router.get("/questions", response_model=QuestionsOut, responses={422: _ERROR_422})
def questions(user: ApiUser, codes: Annotated[str, Query(description="逗号分隔的4位行业代码，如 3360,3311",
                                                         examples=["3360,3311"])]):
    """The wizard questions for these industry codes: the two always-asked ones, then what the matched rows need."""
    listed = [c.strip() for c in codes.replace("，", ",").split(",") if c.strip()]
    if not listed:
        return JSONResponse({"detail": INVALID, "errors": {"codes": "请填写行业代码（codes），如 3360,3311"}},
                            status_code=422)
    catalogue = eia.load_catalogue()
    return {"catalogue_version": catalogue.version, "codes": listed,
            "questions": [q.to_dict() for q in eia.questions_for(listed, catalogue)]}


class DocumentIn(BaseModel):
    """A file in JSON: its name and its content in base64 (the 环境影响报告表（书） on the normal route)."""

    filename: Annotated[str, Checked(255)]
    content_type: Annotated[str, Checked(128)] = "application/pdf"
    content_base64: str


class EiaApplicationIn(eia_service.EiaApplicationInput):
    document: DocumentIn | None = None


class EiaApplicationCreated(BaseModel):
    id: int
    case_no: str
    process: str
    level: str


@router.post("/applications", status_code=201, response_model=EiaApplicationCreated,
             responses={200: {"model": EiaApplicationCreated,
                              "description": "the same Idempotency-Key was posted before: that application"},
                        403: {"description": "not an enterprise account, nor an agent with a mandate for it"},
                        422: {"description": "{detail, errors: {field: 中文}}: bad facts, unanswered questions "
                                             "that decide the level, or a route the project may not take"}})
def create_application(session: SessionDep, user: ApplicantApiUser, body: EiaApplicationIn,
                       idempotency_key: IdempotencyKey = None):
    """Apply for the project's EIA: the level is classified again here, and it and the route pick the process
    (commitment, normal, filing, or the not-managed statement)."""
    key = idempotency_key or str(uuid.uuid4())
    document = None
    if body.document is not None:
        try:
            data = base64.b64decode(body.document.content_base64, validate=True)
        except ValueError:
            return JSONResponse({"detail": "文件内容不是有效的 base64", "errors": {
                "document": "文件内容不是有效的 base64"}}, status_code=422)
        document = eia_service.UploadedFile(filename=body.document.filename, content_type=body.document.content_type,
                                            data=data)
    data_only = eia_service.EiaApplicationInput.model_validate(body.model_dump(exclude={"document"}))
    # an IntakeError (422) is answered by forms.refusals
    application, created = eia_service.submit(session, user, data_only, key, document)
    session.commit()
    if created:
        enqueue(stored_id(application))
    level = eia_service.evaluation_of(session, stored_id(application)).result["classification"]["level"]
    out = EiaApplicationCreated(id=stored_id(application), case_no=application.case_no, process=application.process_key,
                                level=level)
    return JSONResponse(out.model_dump(), status_code=201 if created else 200)
