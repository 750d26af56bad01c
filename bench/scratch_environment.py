"""The environment of the in-process bench scripts (``bench_render``, ``bench_pdfa``, ``bench_gongwen_fonts``).

They render documents in their own process, without a stack: settings must point at a temporary data folder
with its own SQLite database and secret, and the repository must be importable, before anything from
``services`` is imported. The scripts run as ``python bench/x.py``, so this folder is on ``sys.path``.
"""

import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def prepare(prefix: str) -> Path:
    """Point the settings at a new temporary data folder (returned) and put the repository on ``sys.path``."""
    data = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.update({"GC_DATA_DIR": str(data), "GC_DATABASE_URL": f"sqlite:///{data / 'bench.db'}",
                       "GC_SECRET_KEY": "bench"})
    sys.path.insert(0, str(REPO))
    return data
