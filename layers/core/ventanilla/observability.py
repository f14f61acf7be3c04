"""The figures the functions count, and which of them are CloudWatch metrics.

One catalog of names and dimensions, so the code that emits a metric and the template's dashboard
and alarms that read it cannot drift apart (a test compares the template with this catalog, and
the functions' real EMF output with it). The namespace comes from ``POWERTOOLS_METRICS_NAMESPACE``
(template.yaml Globals). Dimensions never carry personal data: only the service and, for notices,
the channel.

A custom metric costs US$0.30 a month for each name and dimension set, prorated by the hours it is
sent in: the 40-odd figures the functions count would cost a small desk more than its table. So only
the ``billed`` ones, those the template's dashboard and alarms read, are metrics; every other figure
goes out as one JSON log line per invocation (:mod:`ventanilla.emf`), summed with Logs Insights.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

NAMESPACE_ENV = "POWERTOOLS_METRICS_NAMESPACE"
CHANNELS = ("email", "sms", "push")


@dataclass(frozen=True)
class MetricSpec:
    name: str
    service: str
    by_channel: bool = False
    """Emitted once per notice channel (dimensions service and channel) instead of service only."""
    billed: bool = False
    """A CloudWatch metric (the dashboard or an alarm reads it); otherwise a count in the log."""

    def dimension_sets(self) -> list[dict[str, str]]:
        if self.by_channel:
            return [{"service": self.service, "channel": c} for c in CHANNELS]
        return [{"service": self.service}]


# API
TICKETS_CREATED = "TicketsCreated"
SURVEYS_ANSWERED = "SurveysAnswered"
# Notifier, per channel: what was sent; what failed for good (permanent error, or the last retry);
# what failed transiently and comes back; what an opt-out or a suppressed address stopped; what a
# redelivered event would have sent twice (skipped).
NOTIFICATIONS_SENT = "NotificationsSent"
NOTIFICATIONS_FAILED = "NotificationsFailed"
NOTIFICATIONS_RETRIED = "NotificationsRetried"
NOTIFICATIONS_BLOCKED = "NotificationsBlocked"
NOTIFICATIONS_DUPLICATES = "NotificationsDuplicatesSkipped"
# SLA timers
SLA_WARNINGS = "SlaWarnings"
SLA_BREACHES = "SlaBreaches"
SLA_ESCALATIONS = "SlaEscalations"
SLA_STALE_TIMERS = "SlaStaleTimers"

# The stream dispatcher: domain events and article events put on the bus, schedules moved
STREAM_SERVICE = "stream"
DOMAIN_EVENTS_PUBLISHED = "DomainEventsPublished"
HELP_ARTICLE_EVENTS_PUBLISHED = "HelpArticleEventsPublished"
SLA_TIMERS_SCHEDULED = "SlaTimersScheduled"
SLA_TIMERS_DELETED = "SlaTimersDeleted"
# The help indexer: articles (re)indexed and taken out of the index
HELP_ARTICLES_INDEXED = "HelpArticlesIndexed"
HELP_ARTICLES_REMOVED = "HelpArticlesRemoved"

CATALOG: dict[str, MetricSpec] = {
    spec.name: spec
    for spec in (
        MetricSpec(TICKETS_CREATED, "api", billed=True),
        MetricSpec(SURVEYS_ANSWERED, "api"),
        MetricSpec(NOTIFICATIONS_SENT, "notifier", by_channel=True, billed=True),
        MetricSpec(NOTIFICATIONS_FAILED, "notifier", by_channel=True, billed=True),
        MetricSpec(NOTIFICATIONS_RETRIED, "notifier", by_channel=True),
        MetricSpec(NOTIFICATIONS_BLOCKED, "notifier", by_channel=True),
        MetricSpec(NOTIFICATIONS_DUPLICATES, "notifier", by_channel=True),
        MetricSpec(SLA_WARNINGS, "sla-fired"),
        MetricSpec(SLA_BREACHES, "sla-fired", billed=True),
        MetricSpec(SLA_ESCALATIONS, "sla-fired", billed=True),
        MetricSpec(SLA_STALE_TIMERS, "sla-fired"),
        MetricSpec(DOMAIN_EVENTS_PUBLISHED, STREAM_SERVICE),
        MetricSpec(HELP_ARTICLE_EVENTS_PUBLISHED, STREAM_SERVICE),
        MetricSpec(SLA_TIMERS_SCHEDULED, STREAM_SERVICE),
        MetricSpec(SLA_TIMERS_DELETED, STREAM_SERVICE),
        MetricSpec(HELP_ARTICLES_INDEXED, "indexer"),
        MetricSpec(HELP_ARTICLES_REMOVED, "indexer"),
        # counted in the log only
        MetricSpec("SmsInbound", "sms-in"),
        MetricSpec("EmailInbound", "email-in"),
        MetricSpec("AttachmentsAccepted", "attachments"),
        MetricSpec("AttachmentsRejected", "attachments"),
        MetricSpec("AddressesSuppressed", "bounces"),
        MetricSpec("Proactive_delivered", "bounces"),
        MetricSpec("Proactive_bounced", "bounces"),
        MetricSpec("Proactive_complaints", "bounces"),
        MetricSpec("AlertSent", "proactive"),
        MetricSpec("AlertFailed", "proactive"),
        MetricSpec("AlertSkipped", "proactive"),
        MetricSpec("TicketsCounted", "stats"),
        MetricSpec("StatsRecordsSkipped", "stats"),
        MetricSpec("HelpSearchesRanked", "stats"),
        MetricSpec("ReportsMailed", "stats-report"),
        MetricSpec("RequestsAnonymised", "retention"),
    )
}


def billed(name: str) -> bool:
    """Whether ``name`` is sent as a CloudWatch metric (a name outside the catalog never is)."""
    spec = CATALOG.get(name)
    return spec is not None and spec.billed


SLA_OUTCOME_METRIC = {
    "warned": SLA_WARNINGS,
    "breached": SLA_BREACHES,
    "escalated": SLA_ESCALATIONS,
    "stale": SLA_STALE_TIMERS,
}
"""The metric of each outcome of a fired SLA timer (services.sla.FireOutcome)."""


def write_counts(service: str, counts: dict[str, Any]) -> None:
    """One log line with an invocation's unbilled figures (nothing when there are none), printed as
    Powertools prints its EMF documents, so both reach the log whatever logger is configured."""
    from aws_lambda_powertools.metrics.functions import is_metrics_disabled

    if counts and not is_metrics_disabled():
        line = {"message": "counts", "service": service, "counts": counts}
        print(json.dumps(line, separators=(",", ":"), sort_keys=True))


def emit_by_channel(counts: Mapping[tuple[str, str], int], service: str) -> None:
    """Write one EMF document per channel with that channel's billed counts ((metric, channel) ->
    n), and the others as one log line ``{"counts": {name: {channel: n}}}``.

    Powertools' shared ``Metrics`` puts one dimension set on every metric of a flush, so a
    per-channel dimension needs a document of its own: an ``EphemeralMetrics`` per channel.
    """
    from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

    per_channel: dict[str, Counter[str]] = {}
    logged: dict[str, dict[str, int]] = {}
    for (name, channel), value in counts.items():
        if not value:
            continue
        if billed(name):
            per_channel.setdefault(channel, Counter())[name] += value
        else:
            logged.setdefault(name, {})[channel] = value  # one entry per (name, channel)
    write_counts(service, logged)
    for channel in sorted(per_channel):
        emf = EphemeralMetrics(service=service)
        emf.add_dimension(name="channel", value=channel)
        for name, value in sorted(per_channel[channel].items()):
            emf.add_metric(name=name, unit=MetricUnit.Count, value=value)
        emf.flush_metrics()
