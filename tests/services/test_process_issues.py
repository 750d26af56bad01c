"""The process definitions' ``issues`` lists are the one place that says which step issues which
document kind; the services read them, so they must name registered kinds."""

from services.cases.processes import DEFINITIONS_DIR, get_definition
from services.documents.registry import kinds
from services.land_to_start import service as land_to_start
from services.standard_land import service as standard_land

# not tied to one step: a 代办 mandate's documents, the weekly report, the 督办 notice, the 补正 notice
# (any human step may ask for material) and the 对标核验 after a case has closed
ISSUED_OUTSIDE_STEPS = {"mandate_letter", "mandate_continuation", "mandate_termination", "mandate_completion",
                        "progress_report", "supervision_notice", "supplement_notice", "verification_report",
                        "department_bulletin"}  # a department's monthly 通报 belongs to no case


def _definitions():
    for path in sorted(DEFINITIONS_DIR.glob("*.v*.toml")):
        key, version = path.stem.rsplit(".v", 1)
        yield get_definition(key, int(version))


def test_every_listed_kind_is_a_registered_document_kind():
    for definition in _definitions():
        for step_key, kind in definition.issuing_steps():
            assert kind in kinds(), (definition.key, definition.version, step_key, kind)


def test_every_case_document_kind_is_issued_by_some_step():
    issued = {kind for definition in _definitions() for _, kind in definition.issuing_steps()}
    assert issued == set(kinds()) - ISSUED_OUTSIDE_STEPS


def test_services_take_their_documents_from_the_definitions():
    assert standard_land.APPROVAL_DOCUMENTS == (
        ("assessment_report", "assessment_report"), ("commitment", "investment_commitment"),
        ("supervision_agreement", "supervision_agreement"))
    assert land_to_start.CERTIFICATES == ("land_title_certificate", "land_use_planning_permit",
                                          "construction_planning_permit", "construction_permit")
    assert get_definition("eia_commitment").issued_by("acceptance") == ["acceptance_notice", "eia_commitment_letter"]
    assert get_definition("standard_land", 1).issuing_steps() == [("acceptance", "acceptance_notice")]
