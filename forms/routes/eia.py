"""The 环评 wizard (zh-CN): project and industry codes → only the questions the matched catalogue rows
need → the level with its reason trail and the commitment-route check → route and submission.

One page, posted back at each stage with everything typed so far, so it works without JavaScript and
never loses an answer. The rules are in ``services.eia.rules``; submission in ``services.eia.service``.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from flows.dispatch import enqueue
from forms.deps import PageUser, SessionDep, permit
from forms.params import Id
from forms.security import verify_csrf
from forms.web import page, posted_files, posted_form, posted_lists
from services.cases import project_labels
from services.core.access import Action, Resource
from services.core.ids import parse_id, stored_id
from services.eia import eligibility as eia_eligibility
from services.eia import exemption as eia_exemption
from services.eia import rules as eia_rules
from services.eia import service as eia
from services.models import Project
from services.standard_land.intake import IntakeError

router = APIRouter(include_in_schema=False)
ANCILLARY_ROWS = 3


@router.get("/eia/new")
def wizard(request: Request, session: SessionDep, user: PageUser, project_id: Id | None = None):
    _enterprise_only(user)
    projects = eia.projects_of(session, user)
    values = {"project_id": str(project_id or (projects[0].id if projects else "")),
              "main_code": projects[0].industry_code if projects else ""}
    if project_id:
        project = session.get(Project, project_id)
        if project and project.enterprise_id == user.enterprise_id:
            values["main_code"] = project.industry_code
    return _page(request, session, user, values, {}, stage="start")


@router.post("/eia/new", dependencies=[Depends(verify_csrf)])
def wizard_post(request: Request, session: SessionDep, user: PageUser,
                values: Annotated[dict[str, str], Depends(posted_form)],
                form: Annotated[dict[str, list[str]], Depends(posted_lists)],
                files: Annotated[dict[str, tuple[str, str, bytes]], Depends(posted_files)]):
    _enterprise_only(user)
    stage = values.get("stage", "questions")
    codes, errors = _codes(values)
    if errors:
        return _page(request, session, user, values, errors, "start", form=form, status_code=422)
    questions = _questions(codes)
    facts_data = _facts(codes, questions, values, form)
    if stage == "questions":
        return _page(request, session, user, values, {}, "questions", form=form, questions=questions)
    try:
        facts = eia_rules.EiaFacts.model_validate(facts_data)
    except ValidationError as error:
        return _page(request, session, user, values, _facts_errors(error), "questions", form=form,
                     questions=questions, status_code=422)
    project_id = parse_id(values.get("project_id"))
    project = session.get(Project, project_id) if project_id else None
    if project is None or project.enterprise_id != user.enterprise_id:
        return _page(request, session, user, values, {"project_id": "请选择本企业的建设项目"}, "start", form=form,
                     status_code=422)
    decided = eia.classify(session, project, facts)
    if stage == "classify":
        return _page(request, session, user, values, {}, "result", form=form, questions=questions, decided=decided)
    key = values.get("idempotency_key") or str(uuid.uuid4())
    try:
        data = eia.EiaApplicationInput.model_validate({
            "project_id": project.id, "scale": values.get("scale", ""), "facts": facts_data,
            "eia_organisation": values.get("eia_organisation", ""), "route": values.get("route") or None,
            "commitment_confirmed": values.get("commitment_confirmed") == "yes"})
        document = eia.UploadedFile(filename=files["document"][0], content_type=files["document"][1],
                                    data=files["document"][2]) if "document" in files else None
        application, created = eia.submit(session, user, data, key, document)
    except ValidationError as error:
        return _page(request, session, user, values, eia.input_error_messages(error), "result", form=form,
                     questions=questions, decided=decided, status_code=422)
    except IntakeError as error:
        session.rollback()
        return _page(request, session, user, values, error.errors, "result", form=form, questions=questions,
                     decided=decided, status_code=422)
    session.commit()
    if created:
        enqueue(stored_id(application))
    return RedirectResponse(f"/applications/{application.id}", status_code=303)


def _enterprise_only(user) -> None:
    permit(user, Resource.application, Action.create,
           "环评申请由企业账户或受托的代办专员提交；工作人员可在“申请总览”中跟进。")


def _codes(values: dict[str, str]) -> tuple[list[dict[str, str]], dict[str, str]]:
    """Main and ancillary industry codes, each checked; errors keyed by the field that holds the code."""
    main = values.get("main_code", "").strip()
    if not main:
        return [], {"main_code": "请填写主体工程的行业代码（国民经济行业分类4位小类）"}
    fields = ["main_code"] + [f"ancillary_{i}" for i in range(ANCILLARY_ROWS)
                              if values.get(f"ancillary_{i}", "").strip()]
    codes = [{"code": values[f].strip(), "role": "main" if f == "main_code" else "ancillary"} for f in fields]
    errors = {f: "行业代码应为4位数字（GB/T 4754-2017 小类）" for f, c in zip(fields, codes, strict=True)
              if not (c["code"].isdigit() and len(c["code"]) == 4)}
    if not errors:
        try:
            eia_rules.questions_for([c["code"] for c in codes])
        except eia_rules.EiaFactsError as error:  # codes the encoded catalogue does not cover
            for path, message in error.errors.items():
                index = int(path.split(".")[1]) if path.startswith("codes.") else 0
                errors[fields[min(index, len(fields) - 1)]] = message
    return codes, errors


def _questions(codes: list[dict[str, str]]) -> list:
    """The catalogue rows' questions, then those the commitment-route check needs (e.g. electroplating), then
    those of the exemption-list entries covering the codes (e.g. 单体建筑面积)."""
    listed = [c["code"] for c in codes]
    config = eia_eligibility.current_config()
    asked = eia_rules.questions_for(listed)
    asked += eia_eligibility.eligibility_questions((q.key for q in asked), config)
    exemptions = eia_exemption.load_exemption_list(config.exemption_file or None)
    return asked + eia_exemption.exemption_questions(listed, (q.key for q in asked), exemptions)


def _facts(codes, questions, values: dict[str, str], form: dict[str, list[str]]) -> dict:
    """Answers on the page → the facts the classifier takes (unanswered stays unanswered)."""
    data: dict = {"industry_codes": codes, "facts": {}, "quantities": {}}
    for q in questions:
        name = f"q_{q.key}"
        if q.kind == "parts":
            chosen = form.get(name, [])
            data[q.target] = None if not chosen else [int(v) for v in chosen if v.isdigit()]
        elif q.kind == "bool":
            answer = {"yes": True, "no": False}.get(values.get(name, ""))
            if q.target.startswith("facts."):
                if answer is not None:
                    data["facts"][q.key] = answer
            else:
                data[q.target] = answer
        else:
            unit = values.get(f"u_{q.key}") or q.units[0]
            typed = values.get(name, "").strip()
            if values.get(f"k_{q.key}") == "unknown":  # 用量未知: an answer (with a value too: refused, both shown)
                data["quantities"][q.key] = {"unknown": True, "unit": unit} | ({"value": typed} if typed else {})
            elif typed:
                data["quantities"][q.key] = {"value": typed, "unit": unit}
    return data


def _facts_errors(error: ValidationError) -> dict[str, str]:
    messages = eia_rules.errors_zh(error.errors())
    return {("q_" + k.split(".")[1] if k.startswith(("facts.", "quantities.")) else k): v for k, v in messages.items()}


def _page(request, session, user, values, errors, stage, form=None, questions=(), decided=None, status_code=200):
    projects = eia.projects_of(session, user)
    return page(request, "eia_form.html", status_code=status_code, user=user, values=values, errors=errors,
                stage=stage, multi=form or {}, questions=questions, decided=decided,
                projects=projects, project_labels=project_labels.labels(session, projects),
                ancillary_rows=ANCILLARY_ROWS,
                idempotency_key=values.get("idempotency_key") or str(uuid.uuid4()))
