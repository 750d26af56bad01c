"""ARCHITECTURE: dependencies point one way — services never import FastAPI or Prefect — and no module
of ours imports itself back through others (no import cycles), whether at module level or inside a
function: a late import hides a cycle from the interpreter, not from the reader."""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ROOT / "services"
FORBIDDEN = ("fastapi", "starlette", "prefect", "forms", "flows")
PACKAGES = ("services", "flows", "forms", "deployments")
# Import edges left out of the cycle check, each with the reason it is kept: {(importer, imported): why}.
KEPT: dict[tuple[str, str], str] = {}


def test_services_import_neither_web_nor_orchestration():
    offenders = []
    for path in SERVICES.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def _modules() -> dict[str, Path]:
    """Every module of our packages by dotted name (a package by its ``__init__``); migrations are scripts."""
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" not in parts:
                found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imported_names(module: str, is_package: bool, tree: ast.Module) -> Iterator[str]:
    """The dotted names each import statement anywhere in the module asks for (``from a import b``: ``a.b``,
    which is a module or an attribute of ``a``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's package, one level up per extra dot
                package = module.split(".")[: None if is_package else -1]
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, base] if base else package)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _import_graph() -> dict[str, set[str]]:
    """Module → the modules of ours it makes Python import: the one named and the packages above it
    (importing ``a.b.c`` runs ``a/__init__`` and ``a/b/__init__`` first). A module's own enclosing
    packages are left out: Python always imports them before the module, that is no cycle it could avoid."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets = set()
        for name in _imported_names(module, path.name == "__init__.py", tree):
            parts = name.split(".")
            targets |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)} & modules.keys()
        graph[module] = {t for t in targets if t != module and not module.startswith(t + ".")
                         and (module, t) not in KEPT}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_import_cycles_among_our_modules():
    graph = _import_graph()
    assert "services.calendar.schedules" in graph and graph["services.agency.service"], "the graph was built"
    cycles = _cycles(graph)
    described = [" → ".join(group) + ": " + "; ".join(f"{a} imports {b}" for a in group for b in sorted(graph[a])
                                                      if b in group) for group in cycles]
    assert described == []


def test_the_cycle_check_sees_late_imports():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    tree = ast.parse("def f():\n    from services.agency import service\n")
    assert set(_imported_names("services.calendar.schedules", False, tree)) == {
        "services.agency", "services.agency.service"}
