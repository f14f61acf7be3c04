"""What each event-driven function starts with: the environment validated at cold start, and
Powertools' logger, metrics (:mod:`ventanilla.emf`) and tracer named after the function's service
(the metrics' namespace comes from ``POWERTOOLS_METRICS_NAMESPACE``, see
:mod:`ventanilla.observability`)."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics

from ventanilla import emf
from ventanilla.settings import get_settings
from ventanilla.tracing import Tracing, make_tracer


def function_tools(service: str) -> tuple[Logger, Metrics, Tracing]:
    """``logger, metrics, tracer`` of ``service``; a misconfigured function fails here, at cold
    start, rather than on its first event."""
    get_settings()
    return Logger(service=service), emf.metrics(service), make_tracer(service)
