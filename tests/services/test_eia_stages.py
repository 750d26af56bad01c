"""Which stages each EIA process runs, read from its definition (what ``flows.eia`` used to hard-code)."""

import pytest

from services.cases.processes import get_definition
from services.eia.stages import Stages, stages_for


@pytest.mark.parametrize(("process_key", "expected"), [
    ("eia_filing", Stages(("filing", "eia_filing_receipt"), False, None, None)),
    ("eia_not_managed", Stages(("statement", "eia_not_managed_statement"), False, None, None)),
    ("eia_normal", Stages(None, False, "public_notice", None)),
    ("eia_normal_book", Stages(None, False, "public_notice", None)),
    ("eia_commitment", Stages(None, True, None, "post_check")),
])
def test_stages_follow_the_process_definition(process_key, expected):
    assert stages_for(get_definition(process_key)) == expected
