"""One realistic sample context per document kind, shared by every document test.

``SAMPLES[kind](**overrides)`` builds a fresh context (tests may change it); the test parametrised
over the registry (``tests/services/test_document_kinds.py``) renders each one, so a new kind needs
its sample here. The family modules hold the building blocks their tests vary.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.document_samples import acceptance, eia, land_start, mandate, standard_land, supervision

SAMPLES: dict[str, Callable[..., dict]] = {
    "acceptance_notice": acceptance.acceptance_notice,
    **{kind: getattr(standard_land, kind) for kind in (
        "supplement_notice", "assessment_report", "investment_commitment", "supervision_agreement",
        "verification_report")},
    **{kind: getattr(eia, kind) for kind in (
        "eia_commitment_letter", "eia_decision", "eia_filing_receipt", "eia_post_check_record",
        "eia_not_managed_statement")},
    **{kind: getattr(land_start, kind) for kind in (
        "risk_commitment", "land_title_certificate", "land_use_planning_permit", "construction_planning_permit",
        "construction_permit")},
    **{kind: getattr(mandate, kind) for kind in (
        "mandate_letter", "mandate_continuation", "mandate_termination", "mandate_completion")},
    "progress_report": supervision.progress_report,
    "supervision_notice": supervision.supervision_notice,
    "department_bulletin": supervision.department_bulletin,
}


def sample(kind: str, **overrides) -> dict:
    """A fresh sample context of ``kind`` with ``overrides`` applied."""
    return SAMPLES[kind](**overrides)
