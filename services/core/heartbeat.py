"""Heartbeat files: a long-running process proves that its event loop still works.

A process can be alive and do nothing (seen: a Prefect task worker whose event-loop thread was blocked
for 14 minutes). The process touches ``<data>/heartbeats/<component>-<pid>.beat`` from the loop that does
its work every ``BEAT_SECONDS``; ``greenchannel run`` replaces a child whose file is older than
``GC_TASK_WORKER_STALE_SECONDS`` (60), and ``/readyz`` reports the freshest beat of each component. Files, not the
database, so that a database outage is not mistaken for a hung worker. One machine's view: processes on
other machines beat in their own data folder.
"""

import time
from pathlib import Path

from services.core.settings import Settings

TASK_WORKER = "task-worker"
BEAT_SECONDS = 5.0


def path(settings: Settings, component: str, pid: int) -> Path:
    return settings.data_dir / "heartbeats" / f"{component}-{pid}.beat"


def beat(file: Path) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    file.touch()


def freshest_age(settings: Settings, component: str) -> float | None:
    """Seconds since the newest beat of any process of the component; None if none ever beat."""
    ages = []
    for file in (settings.data_dir / "heartbeats").glob(f"{component}-*.beat"):
        try:
            ages.append(time.time() - file.stat().st_mtime)
        except FileNotFoundError:  # removed by its process as it stopped
            continue
    return min(ages) if ages else None
