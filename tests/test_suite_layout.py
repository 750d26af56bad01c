"""The test suite's own layout: no test module imports another one.

Importing ``tests/x/test_a.py`` from ``test_b.py`` ties the two files together (a helper edited for one
breaks the other, and pytest's collection of one runs the other's module set-up). What tests share lives
in modules that hold no tests: ``tests/samples.py`` (values), ``tests/factories.py`` (rows through the
services), ``tests/waiting.py``, ``tests/harness.py`` (the running stack), ``tests/stack_api.py`` (cases
through the stack's API), ``tests/e2e/pages.py`` (browser steps) and the like.
"""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _imported_modules(tree: ast.Module) -> list[str]:
    """Every dotted name an import statement asks for (``from a import b``: ``a`` and ``a.b``)."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def test_no_module_of_the_suite_imports_a_test_module():
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        for name in _imported_modules(ast.parse(path.read_text(encoding="utf-8"))):
            if name.split(".")[0] == "tests" and any(part.startswith("test_") for part in name.split(".")):
                offenders.append(f"{path.relative_to(TESTS.parent)} imports {name}")
    assert offenders == []
