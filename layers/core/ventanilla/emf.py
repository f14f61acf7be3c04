"""Powertools Metrics that send as CloudWatch metrics only the catalog's billed figures.

Every function counts what it did through Powertools' ``Metrics`` as usual; this provider sends the
figures the dashboard and alarms read (``ventanilla.observability``, ``billed``) in the embedded
metric format, and writes every other figure of the invocation as one JSON line
``{"message": "counts", "service": ..., "counts": {name: n}}`` in the function's log, where Logs
Insights sums them (``stats sum(counts.TicketsCounted) by bin(1d)``) at no cost beyond its bytes.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics.functions import is_metrics_disabled
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import AmazonCloudWatchEMFProvider

from ventanilla.observability import billed, write_counts


class _CatalogProvider(AmazonCloudWatchEMFProvider):
    """Billed names go to Powertools' EMF set; the others add up until the flush writes them."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.counted: dict[str, float] = {}

    def add_metric(self, name: str, unit: Any, value: float, resolution: Any = 60) -> None:
        if billed(name):
            super().add_metric(name=name, unit=unit, value=value, resolution=resolution)
        elif value:
            self.counted[name] = self.counted.get(name, 0) + value

    def flush_metrics(self, raise_on_empty_metrics: bool = False) -> None:
        write_counts(str(self.service or ""), dict(sorted(self.counted.items())))
        self.counted.clear()
        if is_metrics_disabled():
            self.clear_metrics()  # Powertools keeps what it does not send: a long-lived process grows
            return
        if self.metric_set or raise_on_empty_metrics:
            super().flush_metrics(raise_on_empty_metrics=raise_on_empty_metrics)

    def clear_metrics(self) -> None:
        super().clear_metrics()
        self.counted.clear()


def metrics(service: str, namespace: str | None = None) -> Metrics:
    """``service``'s Metrics: the billed figures to CloudWatch, the rest to the log."""
    return Metrics(
        service=service, namespace=namespace, provider=_CatalogProvider(service=service, namespace=namespace)
    )
