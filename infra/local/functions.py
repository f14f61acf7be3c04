"""The template's functions, loaded from their CodeUri and Handler and invoked in-process."""

from __future__ import annotations

import importlib.util
import logging
import sys
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.local.iam_guard import running
from infra.local.template import ROOT, Resolver


class _OwnRecords(logging.Filter):
    """Powertools' duplicate guard, by logger name: it keeps a function's own records (its service
    logger and that logger's children) off the root handlers, which its own handler prints already.
    Powertools' guard matches by substring, fine in a function's own process; locally every
    function shares one, and the ``stream`` function's guard dropped ``ventanilla.local.streams``
    (the stream poller's errors), the ``stats`` one anything named ``*stats*``."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == self.service or record.name.startswith(self.service + "."))


def _guard_by_name() -> None:
    """Swap powertools' substring guards on the root handlers for :class:`_OwnRecords`."""
    from aws_lambda_powertools.logging.filters import SuppressFilter

    for handler in logging.root.handlers:
        for guard in [f for f in handler.filters if isinstance(f, SuppressFilter)]:
            handler.removeFilter(guard)
            handler.addFilter(_OwnRecords(guard.logger))


_COLD_STARTS = threading.RLock()
"""Handlers' modules load one at a time. In Lambda each function imports in its own process; here
the pollers' threads first invoke theirs at once, and two threads importing the same package's
modules in opposite order (Powertools' ``__init__`` and its ``metrics``) made Python raise an
import ``_DeadlockError`` in one of them (a failed batch, retried, at the start of ``make dev``)."""


@dataclass
class LambdaContext:
    """The invocation context a handler receives (Powertools reads these attributes)."""

    function_name: str
    memory_limit_in_mb: int = 512
    timeout_ms: int = 15_000
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return self.timeout_ms


@dataclass
class LocalFunction:
    logical: str
    code_dir: Path
    handler: str
    events: dict[str, Any]
    environment: dict[str, str]
    _callable: Any = None

    def load(self) -> Any:
        if self._callable is not None:
            return self._callable
        with _COLD_STARTS:
            return self._load()

    def _load(self) -> Any:
        if self._callable is None:  # another thread may have loaded it while this one waited
            module_name, attr = self.handler.rsplit(".", 1)
            path = self.code_dir / f"{module_name.replace('.', '/')}.py"
            if str(self.code_dir) not in sys.path:
                sys.path.insert(0, str(self.code_dir))
            spec = importlib.util.spec_from_file_location(f"local_fn_{self.logical}", path)
            assert spec and spec.loader
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module
            spec.loader.exec_module(module)
            _guard_by_name()  # its Logger(service=...) guarded the root handlers on import
            self._callable = getattr(module, attr)
        return self._callable

    def invoke(self, event: dict[str, Any]) -> Any:
        with running(self.logical):  # its AWS calls (cold start included) checked against its role
            return self.load()(event, LambdaContext(function_name=self.logical))


def functions_from_template(template: dict[str, Any], resolver: Resolver) -> dict[str, LocalFunction]:
    globals_fn = (template.get("Globals") or {}).get("Function") or {}
    global_env = ((globals_fn.get("Environment") or {}).get("Variables")) or {}
    found: dict[str, LocalFunction] = {}
    for logical, spec in template["Resources"].items():
        if spec["Type"] != "AWS::Serverless::Function" or not resolver.active(spec):
            continue
        props = spec["Properties"]
        own_env = ((props.get("Environment") or {}).get("Variables")) or {}
        env = {k: str(v) for k, v in resolver({**global_env, **own_env}).items()}
        found[logical] = LocalFunction(
            logical=logical,
            code_dir=ROOT / props["CodeUri"],
            handler=props["Handler"],
            events=resolver(props.get("Events") or {}),
            environment=env,
        )
    return found


def global_environment(template: dict[str, Any], resolver: Resolver) -> dict[str, str]:
    """The variables every function shares (Globals), which the local process sets once."""
    globals_fn = (template.get("Globals") or {}).get("Function") or {}
    variables = ((globals_fn.get("Environment") or {}).get("Variables")) or {}
    return {k: str(v) for k, v in resolver(variables).items()}
