"""Build the template's functions for this machine (the code ``sam build`` runs) and invoke one
from its folders alone in a fresh ``python3.12 -I``, as Lambda would."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.build import wheels
from infra.build.assemble import Resource, assemble, resources

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("lambda_runner.py")
EVENTS = ROOT / "events"


def sample_events(resource: Resource) -> list[dict[str, Any]]:
    """The function's sample events (events/<its folder>/*.json), in name order."""
    folder = EVENTS / resource.source.name
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


@dataclass
class Built:
    """Functions and layers assembled on demand under ``root`` for ``target``."""

    root: Path
    python312: Path
    target: wheels.Target = field(default_factory=wheels.host)
    found: dict[str, Resource] = field(default_factory=resources)
    folders: dict[str, Path] = field(default_factory=dict)

    def folder(self, logical: str) -> Path:
        if logical not in self.folders:
            dest = self.root / logical
            assemble(logical, dest, self.target, self.python312, self.found)
            self.folders[logical] = dest
        return self.folders[logical]

    def sys_path(self, logical: str) -> list[str]:
        """What Lambda puts first on sys.path: /var/task, then each layer's python/ (as /opt/python)."""
        layers = [str(self.folder(layer) / "python") for layer in self.found[logical].layers]
        return [str(self.folder(logical)), *layers]

    def invoke(
        self,
        logical: str,
        events: list[dict[str, Any]],
        env: dict[str, str],
        scratch: Path,
        handler: str | None = None,
        extra_path: list[str] | None = None,
    ) -> dict[str, Any]:
        """Import ``logical``'s handler (or ``handler``) in a fresh interpreter and invoke it with
        ``events`` in turn (``extra_path``: a test's own module, after the function's folders). ``-B``: Lambda's folders are read-only, nothing writes bytecode there."""
        spec = {
            "name": logical,
            "path": [*self.sys_path(logical), *(extra_path or [])],
            "handler": handler or self.found[logical].handler,
            "events": events,
            "out": str(scratch / f"{logical}.out.json"),
        }
        spec_file = scratch / f"{logical}.spec.json"
        spec_file.write_text(json.dumps(spec), encoding="utf-8")
        run = subprocess.run(
            [str(self.python312), "-I", "-B", str(RUNNER), str(spec_file)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        out = Path(spec["out"])
        if not out.exists():
            raise AssertionError(f"{logical}: the runner died ({run.returncode}):\n{run.stderr[-3000:]}")
        outcome: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        outcome["stderr"] = run.stderr
        return outcome
