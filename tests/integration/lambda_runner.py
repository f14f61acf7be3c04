"""Runs one Lambda handler the way the python3.12 runtime does, from its built folders alone.

``python3.12 -I lambda_runner.py SPEC.json``: SPEC names the folders (the function's, then its
layers' ``python/``), the handler, the events and where to write the outcome. Only the standard
library is used here, and site-packages are taken off ``sys.path`` first, so an import that works
here works in Lambda. ``${key}`` in an event is replaced with that key of an earlier answer's body.
"""

from __future__ import annotations

import importlib
import json
import sys
import sysconfig
import time
import traceback
import uuid
from pathlib import Path
from typing import Any


class Context:
    """The attributes the runtime's context object has (Powertools reads them)."""

    def __init__(self, name: str) -> None:
        self.function_name = name
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 15_000


def _outside(allowed: list[str]) -> list[str]:
    """Modules loaded from anywhere but the given folders and the standard library."""
    roots = [*allowed, sysconfig.get_path("stdlib"), sysconfig.get_path("platstdlib"), __file__]
    found = []
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and not any(Path(file).resolve().is_relative_to(Path(r).resolve()) for r in roots):
            found.append(f"{name}: {file}")
    return sorted(found)


def _fill(event: Any, answers: dict[str, Any]) -> Any:
    text = json.dumps(event)
    for key, value in answers.items():
        text = text.replace("${" + key + "}", str(value))
    return json.loads(text)


def main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    sys.path[:] = [
        *spec["path"],
        *(p for p in sys.path if "site-packages" not in p and "dist-packages" not in p),
    ]
    outcome: dict[str, Any] = {"results": []}
    started = time.perf_counter()
    try:
        module_name, attr = spec["handler"].rsplit(".", 1)
        handler = getattr(importlib.import_module(module_name), attr)
    except BaseException:
        outcome["import_error"] = traceback.format_exc()
    else:
        outcome["import_seconds"] = time.perf_counter() - started
        answers: dict[str, Any] = {}
        for event in spec["events"]:
            try:
                result = handler(_fill(event, answers), Context(spec["name"]))
            except BaseException:
                outcome["results"].append({"error": traceback.format_exc()})
                continue
            outcome["results"].append({"result": result})
            body = result.get("body") if isinstance(result, dict) else None
            if isinstance(body, str) and body.startswith("{"):
                answers.update(json.loads(body))
    outcome["outside"] = _outside(spec["path"])
    outcome["modules"] = sorted({name.split(".")[0] for name in sys.modules})
    Path(spec["out"]).write_text(json.dumps(outcome, default=str), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
