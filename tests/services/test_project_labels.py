"""Projects as a person picks them from a list: two projects of one enterprise with the same name are told apart by
their parcel and first case number."""

import uuid

from services.cases import project_labels
from services.models import Project
from tests import factories


def test_two_projects_of_the_same_name_are_named_apart(session):
    name = f"二期项目-{uuid.uuid4().hex[:6]}"
    first, second = (factories.submitted_case(session, project_name=name) for _ in range(2))
    projects = [session.get_one(Project, case.project_id) for case in (first, second)]
    bare = factories.make_project(session, name=name)
    bare.parcel_id = None
    session.add(bare)
    session.flush()
    named = project_labels.labels(session, [*projects, bare])
    assert named[first.project_id] != named[second.project_id]
    assert first.case_no in named[first.project_id] and second.case_no in named[second.project_id]
    assert named[first.project_id].startswith(f"{name}（地块 ")
    assert named[bare.id] == f"{name}（未选地块）"
    assert project_labels.labels(session, []) == {}
