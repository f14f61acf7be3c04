"""Forum figures for supervisors and open data (aggregates only): topics, replies, time to the
first reply and to an accepted answer, answered by the community or by staff, reports, moderation."""

from __future__ import annotations

from datetime import timedelta

from ventanilla import clock
from ventanilla.models.forum import ForumStats
from ventanilla.storage import forum as store


def figures(days: int) -> ForumStats:
    today = clock.now().date()
    rows = store.days((today - timedelta(days=days - 1)).isoformat(), today.isoformat())
    total: dict[str, int] = {}
    for row in rows:
        for key, value in row.items():
            if isinstance(value, int):
                total[key] = total.get(key, 0) + value

    def mean(sum_key: str, count_key: str) -> float | None:
        return round(total[sum_key] / total[count_key], 1) if total.get(count_key) else None

    return ForumStats(
        days=days,
        topics=total.get("topics", 0),
        replies=total.get("replies", 0),
        replies_by_staff=total.get("replies_by_staff", 0),
        answered=total.get("answered", 0),
        answered_by_staff=total.get("answered_by_staff", 0),
        answered_by_community=total.get("answered_by_community", 0),
        mean_first_reply_minutes=mean("first_reply_minutes", "first_replies"),
        mean_accepted_minutes=mean("accepted_minutes", "answered"),
        reports=total.get("reports", 0),
        moderation_actions=total.get("moderation", 0),
    )
