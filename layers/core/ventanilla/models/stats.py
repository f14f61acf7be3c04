"""Statistics: goals (carta de compromisos), dashboard figures and open data, as API bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field, field_validator

from ventanilla.models.base import Model
from ventanilla.models.common import Code, Strict, Text
from ventanilla.models.forum import ForumStats
from ventanilla.models.people import Requester

GoalMetric = Literal["first_response", "resolution"]
GoalPeriod = Literal["month", "quarter", "year"]


def _edges(schema: dict[str, Any]) -> None:
    from ventanilla.stats.keys import HIST_EDGES

    schema["enum"] = [e for e in HIST_EDGES if 1 <= e <= 960]


class GoalIn(Strict):
    """E.g. 90% of information requests answered within 90 business hours (10 days of 9 h)."""

    name: Text
    type_code: Code
    metric: GoalMetric = "first_response"
    threshold_hours: int = Field(
        ge=1, le=960, description="business hours; one of the histogram edges", json_schema_extra=_edges
    )
    target_pct: float = Field(ge=1, le=100, description="percent of requests within the threshold")
    period: GoalPeriod = "month"
    public: bool = True
    version: int | None = Field(
        default=None,
        ge=1,
        le=1_000_000_000,
        description="on a replace, the version read; another edit meanwhile is refused (409 "
        "goal_changed). Omitted: no check. Ignored on create",
    )

    @field_validator("threshold_hours")
    @classmethod
    def _on_an_edge(cls, value: int) -> int:
        from ventanilla.stats.keys import EDGE_SET, HIST_EDGES

        if value not in EDGE_SET:
            below = max((e for e in HIST_EDGES if e < value), default=HIST_EDGES[0])
            above = min((e for e in HIST_EDGES if e > value), default=HIST_EDGES[-1])
            raise ValueError(
                f"debe ser un límite de tramo, p. ej. {below} o {above} / "
                f"must be a bucket edge, e.g. {below} or {above}"
            )
        return value


class Goal(GoalIn):
    id: Code
    updated_at: datetime
    updated_by: str
    version: int = 1  # always set once stored


class GoalList(Model):
    items: list[Goal]


class Compliance(Model):
    period: str
    total: int
    met: int
    pct: float | None


class GoalStatus(Model):
    goal: Goal
    current: Compliance
    trend: list[Compliance]
    on_track: bool | None


class TimeFigures(Model):
    count: int
    median_hours: int | None
    p90_hours: int | None
    """Upper edges of the buckets holding the median and the 90th percentile (``None``: no data;
    961 stands for "more than 960 h")."""
    histogram: dict[str, int]


class Rates(Model):
    total: int
    met: int
    pct: float | None


class Csat(Model):
    responses: int
    average: float | None
    distribution: dict[str, int]
    response_rate: float | None
    satisfied: int = 0
    """Answers scoring 4 or 5 (the usual CSAT "satisfied" share)."""
    satisfied_pct: float | None = None
    """``satisfied`` over ``responses`` in %; null with no answers in the period."""


class HelpFigures(Model):
    searches: int = 0
    zero_result_searches: int = 0
    top_queries: list[tuple[str, int]] = Field(default_factory=list)
    article_views: int = 0
    helpful_yes: int = 0
    helpful_no: int = 0
    helpful_pct: float | None = None
    deflection_pct_by_subtype: dict[str, float] = Field(default_factory=dict)


class DayRow(Model):
    day: date
    created: int
    resolved: int
    reopened: int
    backlog: int


class Dashboard(Model):
    start: date
    end: date
    filters: dict[str, str]
    created: int
    resolved: int
    reopened: int
    closed: int
    backlog: int
    backlog_by_status: dict[str, int]
    backlog_by_age: dict[str, int]
    volume_by_day: list[DayRow]
    backlog_by: dict[str, dict[str, int]] = Field(default_factory=dict)
    """Open now per dimension (type, subtype, channel, team, priority) -> value -> count."""
    breakdown: dict[str, dict[str, dict[str, int]]]
    """dimension (type, subtype, channel, team, priority) -> value -> {created, resolved, ...}, in
    the filtered view too (a dimension the filter fixes shows its one value)."""
    first_response: TimeFigures
    resolution: TimeFigures
    met: dict[str, Rates]
    met_by: dict[str, dict[str, dict[str, Rates]]]
    """dimension (type, team) -> value -> target -> rates, in the filtered view too."""
    breaches: dict[str, int]
    escalations: int
    time_in_status_hours: dict[str, float]
    """Average business hours (institution's calendar) spent in each status, per exit from it."""
    time_in_status_calendar_hours: dict[str, float] = Field(default_factory=dict)
    """The same in wall-clock hours."""
    reopen_rate: float | None
    csat: Csat
    goals: list[GoalStatus]
    help: HelpFigures
    forum: ForumStats | None = None
    """The community forum's figures of the same days (not filtered by type, team or channel)."""


class PublicMonth(Model):
    month: str
    type_code: str
    volume: int | None
    on_time_pct: float | None
    median_first_response_hours: int | None
    satisfaction: float | None


class PublicCompliance(Model):
    """A goal's compliance as published: every figure null when it rests on too few requests."""

    period: str
    total: int | None
    met: int | None
    pct: float | None


class PublicGoal(Model):
    name: Text
    type_code: str
    metric: GoalMetric
    threshold_hours: int
    target_pct: float
    current: PublicCompliance


class PublicForumMonth(Model):
    """The community forum's figures of a month as published: null below the suppression count."""

    month: str
    topics: int | None
    replies: int | None
    answered: int | None
    answered_by_community_pct: float | None
    mean_first_reply_hours: float | None
    mean_accepted_hours: float | None
    reports: int | None
    moderation_actions: int | None


class PublicStats(Model):
    generated_at: datetime
    suppressed_below: int
    months: list[PublicMonth]
    goals: list[PublicGoal]
    forum: list[PublicForumMonth] = Field(default_factory=list)


class ExportedRequest(Model):
    """One request in the export; ``subject`` and ``requester`` only for roles that see personal data."""

    number: str
    type: str
    subtype: str
    channel: str
    team: str
    priority: str
    status: str
    tier: str
    assignee: str | None
    created_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    first_response_due: datetime | None
    resolution_due: datetime
    legal_due: datetime | None
    breached: list[str]
    escalation_level: int
    csat_score: int | None
    subject: str | None = None
    requester: Requester | None = None


class ExportPage(Model):
    items: list[ExportedRequest]
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page; null: the last one")
    personal_data: bool = Field(description="whether subject and requester are included (supervisor, admin)")
