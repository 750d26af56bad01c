"""Test session: one database and one real stack per session, on SQLite (default) or PostgreSQL.

``GC_TEST_DATABASE_URL`` selects the database (``bin/test`` runs the suite on both); the schema
is rebuilt from the migrations at session start. The ``stack`` fixture starts
``greenchannel run --demo`` exactly as an operator would — Prefect server, task worker and web
app — once per session (``tests/harness.py``, shared with ``bench/``), and stops it with Ctrl-C
(SIGINT) at the end.

Markers, set here from the fixtures a test uses (directly or through other fixtures):
``stack`` — it needs the running stack (minutes); ``db`` — it needs the migrated database
(seconds). ``pytest -m "not stack"`` runs the pure and database tests alone and never starts the
stack; ``pytest -m "not stack and not db"`` runs the pure tests only.
"""

import os
import tempfile
from pathlib import Path

import pytest

from tests.harness import Stack, Stopped, for_worker, reset_databases, settings_for
from tests.mailbox import start_mailbox
from tests.samples import PASSING_PLAN, SAMPLE

# one data folder per test session, even if this module were imported twice (e.g. as ``tests.conftest``)
_SESSION_DIR = os.environ.get("GC_TEST_SESSION_DIR") or tempfile.mkdtemp(prefix="gc-test-")
os.environ["GC_TEST_SESSION_DIR"] = _SESSION_DIR
# under pytest-xdist (``-n``: bin/test runs the pure and database tests so) each worker process has a data folder
# and PostgreSQL databases of its own, named after it (gw0, gw1 …): a worker's ``migrated`` rebuilds only its own
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
DATA_DIR = Path(_SESSION_DIR) / WORKER if WORKER else Path(_SESSION_DIR)
DATA_DIR.mkdir(exist_ok=True)
SETTINGS = settings_for(DATA_DIR, for_worker(os.environ.get("GC_TEST_DATABASE_URL", ""), WORKER),
                        for_worker(os.environ.get("GC_TEST_PREFECT_DATABASE_URL", ""), WORKER))
DB_URL = SETTINGS["GC_DATABASE_URL"]
os.environ.update(SETTINGS)

# Fixtures that start a stack of their own (a test using one is marked ``stack`` like the shared one).
STACK_FIXTURES = {"stack", "shipped", "topology"}
DATABASE_FIXTURES = {"migrated"}


@pytest.hookimpl(tryfirst=True)  # before ``-m`` selects by these markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test by what it needs, from its fixture closure: ``stack`` and/or ``db``."""
    for item in items:
        needs = set(getattr(item, "fixturenames", ()))
        if needs & STACK_FIXTURES:
            item.add_marker(pytest.mark.stack)
        if needs & DATABASE_FIXTURES:
            item.add_marker(pytest.mark.db)


class StackTestsFirst:
    """Run the stack's tests first and the others after the session's stack has stopped
    (``pytest_runtest_teardown``).

    A database test reads, then writes in its own transaction; on SQLite, a write committed in between by the
    stack's background work (sweeps, repairs, documents of earlier cases) makes that write fail at once with
    "database is locked". With the stack stopped, nothing else writes."""

    @pytest.hookimpl(trylast=True)  # after pytest's own ordering by fixture scope
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        items.sort(key=lambda item: item.get_closest_marker("stack") is None)  # stable: groups keep their order


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(StackTestsFirst(), "gc-stack-tests-first")


def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """Stop the session's stack once its last test has run (the rest of the suite does not use it)."""
    if nextitem is not None and item.get_closest_marker("stack") and not nextitem.get_closest_marker("stack"):
        _stop_session_stack()


_session_stack: list[Stack] = []  # the running stack of the ``stack`` fixture, once started
_stopped: list[Stopped] = []  # what stopping it gave (exit code, leftovers), checked by the fixture at the end


def _stop_session_stack() -> Stopped | None:
    if _session_stack and not _stopped:
        _stopped.append(_session_stack[0].stop())
    return _stopped[0] if _stopped else None


@pytest.fixture(scope="session")
def migrated() -> None:
    """Schema from the Alembic migrations plus demo data, on the selected database."""
    from services import demo
    from services.core.db import session_scope
    from services.core.migrate import upgrade_to_head

    reset_databases(DB_URL, SETTINGS["GC_PREFECT_DATABASE_URL"])
    upgrade_to_head()
    with session_scope() as session:
        demo.load(session)


@pytest.fixture
def session(migrated):
    """A session whose work is rolled back after the test."""
    from sqlmodel import Session

    from services.core.db import get_engine

    with Session(get_engine(), expire_on_commit=False) as s:
        yield s
        s.rollback()


# Every setting the shared test stack changes from what ``greenchannel run --demo`` ships, and why. The
# stack as shipped (nothing set) is started by tests/deployments/test_run_as_shipped.py, which exercises
# each of these defaults: the sweep and the weekly reports on their schedules, the 30 s re-dispatch and
# repair sweep, the 60 s task-worker heartbeat limit, the 120 s stuck-work limit.
STACK_OVERRIDES = {
    # lost hand-overs and stale resumes are retried within seconds, so fault tests finish quickly
    "GC_DISPATCH_SWEEP_SECONDS": "2",
    # the SLA sweep and progress reports are started by the tests that check them, on the days they choose;
    # a scheduled run in between would change lights under a test's feet
    "GC_SLA_SWEEP_MINUTES": "0",
    "GC_PROGRESS_REPORT_CRON": "",
    # a hung task worker (SIGSTOP in tests/deployments/test_run_supervision.py) is reported after 25 s and
    # replaced after 50 s, not 60 and 120 (at 15/30 s a worker merely starved under CI's double load was killed)
    "GC_TASK_WORKER_STALE_SECONDS": "25",
    # work orphaned by a killed process (tests/flows/test_repair.py) is repaired after 45 s, not 120
    "GC_STUCK_AFTER_SECONDS": "45",
}


@pytest.fixture(scope="session")
def stack_mailbox():
    """The SMTP server the session's stack sends its e-mail to (sign-up confirmations, password resets,
    notifications), read by the tests as a person reads their mail. As shipped, e-mail is off."""
    controller = start_mailbox()
    yield controller
    controller.stop()


@pytest.fixture(scope="session")
def identity_provider():
    """The park's 统一身份认证 for the session's stack: a real OpenID Connect provider (oidc-provider-mock, on
    authlib) on a free port; tests give it a person's claims (``PUT /users/<sub>``) and sign in on its form."""
    import oidc_provider_mock

    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="session")
def stack(migrated, stack_mailbox, identity_provider) -> Stack:
    """The session's running stack; at the end ``run`` must exit 0 on Ctrl-C and leave no process behind."""
    stack = Stack(SETTINGS, STACK_OVERRIDES | {"GC_SMTP_HOST": "127.0.0.1", "GC_SMTP_PORT": str(stack_mailbox.port),
                                               "GC_MAIL_FROM": "绿色通道服务平台 <noreply@lvtong.example.cn>",
                                               "GC_OIDC_ISSUER": identity_provider, "GC_OIDC_CLIENT_ID": "greenchannel",
                                               "GC_OIDC_CLIENT_SECRET": "test-secret"})
    stack.overrides["GC_PUBLIC_BASE_URL"] = stack.base_url  # the links in the e-mails lead to this stack
    try:
        stack.start()
    except BaseException:
        stack.stop()
        raise
    _session_stack.append(stack)
    yield stack
    stopped = _stop_session_stack()
    assert stopped is not None
    assert stopped.exit_code == 0, f"greenchannel run did not exit cleanly on Ctrl-C (exit code {stopped.exit_code})"
    assert stopped.leftovers == [], "processes left running after Ctrl-C: " + "; ".join(stopped.leftovers)


@pytest.fixture
def sample_application() -> dict:
    return dict(SAMPLE, planned_indicators=dict(PASSING_PLAN))
