"""Each function's folder and each layer, as Lambda unpacks them, from template.yaml.

A function: its CodeUri folder, plus the wheels of its own requirements.txt if it has one. A
layer: ``python/`` holding its ContentUri folder and the wheels of its requirements.txt (checked
together with the layers it always ships with, see :func:`companions`). ``sam
build`` runs this per resource (``make build-<LogicalId>``); the built-artifact test runs the same
code for this machine's platform.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.build import wheels
from infra.local import template as tpl

SKIP = shutil.ignore_patterns("__pycache__", ".*", "*.egg-info", "requirements.txt")


@dataclass(frozen=True)
class Resource:
    logical: str
    kind: str  # "function" | "layer"
    source: Path
    handler: str = ""
    layers: tuple[str, ...] = ()

    @property
    def requirements(self) -> Path | None:
        path = self.source / "requirements.txt"
        return path if path.exists() else None


def resources(template: dict[str, Any] | None = None) -> dict[str, Resource]:
    """Every function and layer of the template, by logical id (functions list their layers)."""
    template = template or tpl.load()
    global_fn = (template.get("Globals") or {}).get("Function") or {}
    found: dict[str, Resource] = {}
    for logical, spec in template["Resources"].items():
        props = spec.get("Properties") or {}
        if spec["Type"] == "AWS::Serverless::LayerVersion":
            found[logical] = Resource(logical, "layer", tpl.ROOT / props["ContentUri"])
        elif spec["Type"] == "AWS::Serverless::Function":
            refs = [*(global_fn.get("Layers") or []), *(props.get("Layers") or [])]  # SAM adds lists
            if any(not (isinstance(r, dict) and "Ref" in r) for r in refs):
                raise ValueError(f"{logical}: only layers of this template can be built ({refs})")
            found[logical] = Resource(
                logical,
                "function",
                tpl.ROOT / props["CodeUri"],
                handler=props["Handler"],
                layers=tuple(r["Ref"] for r in refs),
            )
    return found


def find_python312() -> Path | None:
    """A CPython 3.12 to compile bytecode with: ``python3.12`` on PATH if it runs, else pyenv's."""
    candidates = [shutil.which("python3.12")]
    try:
        root = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=True).stdout.strip()
        versions = sorted(
            Path(root, "versions").glob("3.12.*"),
            key=lambda p: [int(x) for x in re.findall(r"\d+", p.name)],
        )
        candidates += [str(v / "bin" / "python3.12") for v in reversed(versions)]
    except (OSError, subprocess.CalledProcessError):
        pass
    for candidate in filter(None, candidates):
        probe = [candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 12))"]
        try:
            if subprocess.run(probe, capture_output=True, text=True, timeout=30).stdout.strip() == "True":
                return Path(candidate)
        except (OSError, subprocess.TimeoutExpired):
            continue
    return None


def companions(layer: str, found: dict[str, Resource]) -> list[str]:
    """The other layers every function with ``layer`` also has (the core layer under the geometry
    one): a layer is checked with them, as it never ships without them."""
    users = [set(r.layers) for r in found.values() if r.kind == "function" and layer in r.layers]
    shared = set.intersection(*users) if users else set()
    return sorted(shared - {layer})


def _merge(source: Path, dest: Path) -> None:
    """Copy a cached tree into ``dest``, hard-linking files where the filesystem allows."""

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    marker = shutil.ignore_patterns(".complete")
    shutil.copytree(source, dest, dirs_exist_ok=True, copy_function=link, ignore=marker)


def assemble(
    logical: str,
    dest: Path,
    target: wheels.Target = wheels.LAMBDA,
    python312: Path | None = None,
    found: dict[str, Resource] | None = None,
) -> Path:
    """Lay out resource ``logical`` in ``dest`` (emptied first) for ``target``; returns ``dest``."""
    found = found or resources()
    resource = found[logical]
    shutil.rmtree(dest, ignore_errors=True)
    root = dest / "python" if resource.kind == "layer" else dest
    shutil.copytree(resource.source, root, ignore=SKIP)
    if python312 is not None:
        wheels.compile_bytecode(root, python312)
    checked = [root]
    if resource.requirements is not None:
        _merge(wheels.install(resource.requirements, target, python312), root)
    for layer in resource.layers if resource.kind == "function" else companions(logical, found):
        requirements = found[layer].requirements
        if requirements is not None:
            checked.append(wheels.install(requirements, target, python312))
    problems = wheels.problems(checked, target)
    if problems:
        raise SystemExit(f"{logical}: the package is not what the tests run:\n  " + "\n  ".join(problems))
    return dest
