"""X-Ray tracing only when the deployment turns it on (template parameter ``Tracing``, off by default).

Powertools' Tracer imports the X-Ray SDK (~0.2 s of every cold start) even when tracing is
disabled, so with ``POWERTOOLS_TRACE_DISABLED`` true (the template's default, and everywhere off
Lambda) the functions get :class:`Untraced`, whose decorators hand the function back unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Protocol, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])


class Tracing(Protocol):
    """What the functions call on a tracer: decorators that keep the function's signature."""

    def capture_lambda_handler(self, fn: F) -> F: ...

    def capture_method(self, fn: F, *, capture_response: bool | None = None) -> F: ...

    def put_annotation(self, key: str, value: Any) -> None: ...

    def put_metadata(self, key: str, value: Any, namespace: str | None = None) -> None: ...


class Untraced:
    """The part of Powertools' Tracer the functions use, doing nothing."""

    disabled = True

    def capture_lambda_handler(self, fn: F) -> F:
        return fn

    def capture_method(self, fn: F, **_: Any) -> F:
        return fn

    def put_annotation(self, key: str, value: Any) -> None:
        return None

    def put_metadata(self, key: str, value: Any, namespace: str | None = None) -> None:
        return None


def enabled() -> bool:
    flag = os.environ.get("POWERTOOLS_TRACE_DISABLED", "true").strip().lower()
    return flag in ("0", "false", "no", "off") and bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


def make_tracer(service: str) -> Tracing:
    """Powertools' Tracer when tracing is on, else :class:`Untraced` (the SDK is never imported).
    Powertools' decorators are typed loosely (optional arguments, overloads); they do keep the
    decorated function's signature, which is what :class:`Tracing` states."""
    if not enabled():
        return Untraced()
    from aws_lambda_powertools import Tracer

    return cast(Tracing, Tracer(service=service))
