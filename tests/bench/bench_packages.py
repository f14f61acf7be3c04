"""What each function ships and how long its module takes to import from the built folders.

Sizes: the arm64 artifacts ``make build`` produces (function + layers, unzipped, against Lambda's
250 MB). Import time: the same folders built for this machine, each import in a fresh
``python3.12 -I -B`` with only those folders on the path (median of 3); for the API also without
the precompiled bytecode the build ships, and ``import boto3`` from the same layer.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from infra.build import wheels
from infra.build.assemble import assemble, find_python312, resources
from infra.build.sizes import sizes, table
from infra.local.stack import LOCAL_ENV, LocalStack
from tests.bench.sizes import size, smoke
from tests.integration.built_support import Built

ROUNDS = size(3, 1)
API_TARGET = 1.5
"""The API module imports in at most 1.5x ``import boto3, chalice``; every other handler in 1.3x
``import boto3`` (X-Ray off, as a default deploy)."""
OTHER_TARGET = 1.3


def _import_seconds(built: Built, logical: str, handler: str, env: dict[str, str], scratch: Path) -> float:
    runs = [built.invoke(logical, [], env, scratch, handler) for _ in range(ROUNDS)]
    failed = [r["import_error"] for r in runs if "import_error" in r]
    if failed:
        raise SystemExit(f"{handler} does not import from {logical}'s built folders:\n{failed[0]}")
    return statistics.median(r["import_seconds"] for r in runs)


def main() -> None:
    found = resources()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        python312 = find_python312()
        arm64 = root / "arm64"
        shipped = {name: assemble(name, arm64 / name, wheels.LAMBDA, python312, found) for name in found}
        print("unzipped sizes of the arm64 artifacts, as make build ships them")
        print(table(sizes(shipped, found)))
        if python312 is None:
            print("no python3.12 here: import times not measured")
            return
        stack = LocalStack(port=0)
        stack.start_aws()
        try:
            with_pyc = Built(root / "host", python312)
            print(f"\nimport seconds from the built folders, fresh python3.12 -I -B, median of {ROUNDS}")
            assert stack.moto is not None
            ratios: list[tuple[str, float, float, float, float]] = []
            functions = [(n, r) for n, r in found.items() if r.kind == "function"]
            if smoke():  # the API and one other function: each path of the measurement, once
                functions = [f for f in functions if f[0] == "ApiFunction"] + [
                    next(f for f in functions if f[0] != "ApiFunction")
                ]
            for logical, resource in functions:
                env = {
                    **LOCAL_ENV,
                    "AWS_ENDPOINT_URL": stack.moto.url,
                    **stack.functions[logical].environment,
                }
                seconds = _import_seconds(with_pyc, logical, resource.handler, env, root)
                base = _import_seconds(with_pyc, logical, "boto3.client", env, root)
                if logical == "ApiFunction":
                    # ``import boto3, chalice``: chalice.app is all of chalice a Lambda imports
                    both = base + _import_seconds(with_pyc, logical, "chalice.app.Chalice", env, root)
                    ratios.append((logical, seconds, both, seconds / both, API_TARGET))
                else:
                    ratios.append((logical, seconds, base, seconds / base, OTHER_TARGET))
                print(f"{logical:<24}{resource.handler:<18}{seconds:>7.3f}")
                if logical == "ApiFunction":
                    api = _source_only(Built(root / "host-source", python312), logical)
                    slow = _import_seconds(api, logical, resource.handler, env, root)
                    print(f"{'  same, no bytecode':<42}{slow:>7.3f}")
            print("\ncold start: the handler's import against the baseline, same folders, same run")
            print(f"{'function':<24}{'import s':>9}{'baseline s':>11}{'ratio':>7}{'target':>8}")
            for logical, seconds, base, ratio, target in ratios:
                mark = "ok" if ratio <= target else "OVER"
                print(f"{logical:<24}{seconds:>9.3f}{base:>11.3f}{ratio:>7.2f}{target:>7.1f}x {mark}")
            print("(baseline: import boto3, chalice for ApiFunction; import boto3 for the others)")
        finally:
            stack.stop()


def _source_only(built: Built, logical: str) -> Built:
    """``built`` with the bytecode removed from ``logical``'s folders (as a build without python3.12)."""
    for folder in built.sys_path(logical):
        for pyc in Path(folder).rglob("*.pyc"):
            pyc.unlink()
    return built
