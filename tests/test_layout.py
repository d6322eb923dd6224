"""The package's layout rules (issue 22), read off the source by AST.

No module of ``extractor/`` over 400 lines and no function over 60; no import cycle among the
package's modules, imports inside functions counted (a function-level import hides a cycle, it does
not remove it); the runtime stages never reach the offline tooling (``training/``, ``corpora/``),
so a batch run loads none of it; the report scripts under ``eval/`` stay thin (under 250 lines).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = "extractor"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
MAX_EVAL_SCRIPT_LINES = 250
#: Packages of offline tooling: training taggers, converting corpora. Only they and the command line use them.
OFFLINE = ("extractor.training", "extractor.corpora")
#: Modules that may import the offline packages: the commands that run them.
OFFLINE_USERS = ("extractor.cli",)
def modules(root: Path, package: str) -> dict[str, Path]:
    """Dotted module name → file, for every ``.py`` file of the package under ``root``."""
    found = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that module ``name`` imports, anywhere in it (functions included).

    ``from P import n`` depends on P, and on P.n too when that is a module; ``import P.n`` on P.n.
    The parent packages Python runs first are not counted: every import of a submodule runs them.
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            found.update({source} & known)
            found.update(f"{source}.{alias.name}" for alias in node.names if f"{source}.{alias.name}" in known)
    return found - {name}


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    found = modules(root, package)
    return {name: imported(name, path, set(found)) for name, path in found.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while not component or component[-1] != node:
                component.append(stack.pop())
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for other in graph[todo.pop()] - seen:
            seen.add(other)
            todo.append(other)
    return seen


def within(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def long_functions(path: Path, limit: int) -> list[str]:
    """``name lines`` of every function (methods and nested ones too) longer than ``limit`` lines, def to end."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{node.name} {node.end_lineno - node.lineno + 1}" for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > limit]


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_module_over_the_limit() -> None:
    over = {p.relative_to(REPO).as_posix(): line_count(p) for p in modules(REPO, PACKAGE).values()
            if line_count(p) > MAX_MODULE_LINES}
    assert not over, f"modules over {MAX_MODULE_LINES} lines: {over}"


def test_no_function_over_the_limit() -> None:
    over = {p.relative_to(REPO).as_posix(): found for p in modules(REPO, PACKAGE).values()
            if (found := long_functions(p, MAX_FUNCTION_LINES))}
    assert not over, f"functions over {MAX_FUNCTION_LINES} lines: {over}"


def test_no_import_cycle() -> None:
    assert cycles(import_graph(REPO, PACKAGE)) == []


def test_runtime_stages_never_reach_the_offline_tooling() -> None:
    graph = import_graph(REPO, PACKAGE)
    runtime = [name for name in graph if not within(name, OFFLINE + OFFLINE_USERS)]
    reached = {name: sorted(o for o in reachable(graph, name) if within(o, OFFLINE)) for name in runtime}
    assert {name: found for name, found in reached.items() if found} == {}


def test_offline_packages_exist() -> None:
    """The fence above checks something only while the packages it fences are there."""
    known = modules(REPO, PACKAGE)
    assert all(package in known for package in OFFLINE)


def test_report_scripts_are_thin() -> None:
    over = {p.name: line_count(p) for p in sorted((REPO / "eval").glob("*.py"))
            if line_count(p) > MAX_EVAL_SCRIPT_LINES}
    assert not over, f"eval scripts over {MAX_EVAL_SCRIPT_LINES} lines: {over}"


# The checks themselves, on small packages written for the purpose: each must find what it looks for.
CYCLE_CASES = [
    ({"__init__.py": "", "a.py": "import pkg.b\n", "b.py": "def f():\n    from pkg import a\n"}, [["pkg.a", "pkg.b"]]),
    ({"__init__.py": "from pkg.api import run\n", "api.py": "def run():\n    from pkg import tools\n",
      "tools.py": ""}, [["pkg", "pkg.api"]]),
    ({"__init__.py": "", "a.py": "from . import b\n", "b.py": "from .c import x\n", "c.py": "from pkg import a\n"},
     [["pkg.a", "pkg.b", "pkg.c"]]),
    ({"__init__.py": "", "a.py": "import pkg.b\n", "b.py": "import json\n"}, []),
]


@pytest.mark.parametrize("files, expected", CYCLE_CASES)
def test_cycles_are_found_through_function_level_and_relative_imports(
        tmp_path: Path, files: dict[str, str], expected: list[list[str]]) -> None:
    (tmp_path / "pkg").mkdir()
    for name, source in files.items():
        (tmp_path / "pkg" / name).write_text(source, encoding="utf-8")
    assert cycles(import_graph(tmp_path, "pkg")) == expected


def test_long_functions_count_def_to_end_nested_ones_included(tmp_path: Path) -> None:
    body = "\n".join(f"        x{i} = {i}" for i in range(60))
    path = tmp_path / "m.py"
    path.write_text(f"def outer():\n    def inner():\n{body}\n    return inner\n\n\ndef short():\n    return 1\n",
                    encoding="utf-8")
    assert long_functions(path, 60) == ["outer 63", "inner 61"]


def test_the_fence_sees_offline_tooling_reached_through_another_module() -> None:
    graph = {"extractor.api": {"extractor.batch"}, "extractor.batch": {"extractor.training.train"},
             "extractor.training.train": set(), "extractor.cli.train": {"extractor.training.train"}}
    runtime = [name for name in graph if not within(name, OFFLINE + OFFLINE_USERS)]
    assert {name: sorted(o for o in reachable(graph, name) if within(o, OFFLINE)) for name in runtime} == {
        "extractor.api": ["extractor.training.train"], "extractor.batch": ["extractor.training.train"]}
