"""The layers of CONTRIBUTING.md hold: the import contracts in pyproject.toml pass on the tree, a
violation breaks them, and no module imports itself back through others (no cycles)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> str:
    """lint-imports' report on ``tree`` (colours and spacing removed); raises unless it answered."""
    env = {
        **os.environ,
        "NO_COLOR": "1",
        "TERM": "dumb",
        "PYTHONPATH": f"{tree / 'layers' / 'core'}{os.pathsep}{tree / 'functions' / 'api'}",
    }
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = " ".join(re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr).split())
    assert "Contracts:" in report, report
    return f"exit={result.returncode} {report}"


def _copy(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "data", "templates")
    shutil.copytree(
        ROOT / "layers" / "core" / "ventanilla", tree / "layers" / "core" / "ventanilla", ignore=ignore
    )
    shutil.copytree(
        ROOT / "functions" / "api" / "chalicelib", tree / "functions" / "api" / "chalicelib", ignore=ignore
    )
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_the_tree_keeps_every_contract() -> None:
    report = _lint(ROOT)
    assert report.startswith("exit=0 "), report
    assert "4 kept, 0 broken" in report


@pytest.mark.parametrize(
    ("module", "added", "contract", "edge"),
    [
        pytest.param(
            "layers/core/ventanilla/services/canned.py",
            "from boto3.dynamodb.conditions import Key",
            "Only storage and integrations talk to AWS",
            "ventanilla.services.canned -> boto3",
            id="a service reaching for boto3",
        ),
        pytest.param(
            "layers/core/ventanilla/rules/priority.py",
            "from ventanilla.storage import tickets",
            "Rules and models are plain Python: no service, storage or AWS behind them",
            "ventanilla.rules.priority -> ventanilla.storage.tickets",
            id="a rule reading the table",
        ),
        pytest.param(
            "functions/api/chalicelib/canned.py",
            "from ventanilla.storage import canned",
            "Handlers call services, never the table",
            "chalicelib.canned -> ventanilla.storage.canned",
            id="a handler reading the table",
        ),
    ],
)
def test_a_violation_breaks_the_lint(
    tmp_path: Path, module: str, added: str, contract: str, edge: str
) -> None:
    tree = _copy(tmp_path)
    path = tree / module
    path.write_text(path.read_text() + f"\n{added}  # noqa: E402\n")
    report = _lint(tree)
    assert report.startswith("exit=1 "), report
    assert f"{contract} BROKEN" in report
    assert edge in report


def _cycles(graph: grimp.ImportGraph) -> list[set[str]]:
    """Strongly connected groups of more than one module (Tarjan, iterative)."""
    modules = sorted(graph.modules)
    edges = {
        m: sorted(i for i in graph.find_modules_directly_imported_by(m) if i in graph.modules)
        for m in modules
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for root in modules:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if i < len(edges[node]):
                work.append((node, i + 1))
                nxt = edges[node][i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(group)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return found


def test_no_import_cycles_even_through_imports_inside_functions() -> None:
    sys.path.insert(0, str(ROOT / "functions" / "api"))
    try:
        graph = grimp.build_graph("ventanilla", "chalicelib", cache_dir=None)
    finally:
        sys.path.remove(str(ROOT / "functions" / "api"))
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for a, b in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")]:
        graph.add_import(importer=a, imported=b)
    assert _cycles(graph) == [{"p.a", "p.b", "p.c"}]
