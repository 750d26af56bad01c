"""ARCHITECTURE: dependencies point one way — services never import FastAPI or Prefect."""

import ast
from pathlib import Path

SERVICES = Path(__file__).resolve().parent.parent / "services"
FORBIDDEN = ("fastapi", "starlette", "prefect", "forms", "flows")


def test_services_import_neither_web_nor_orchestration():
    offenders = []
    for path in SERVICES.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
