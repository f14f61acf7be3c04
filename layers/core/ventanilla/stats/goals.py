"""Goals (carta de compromisos): supervisors keep them; compliance comes from the monthly
histograms of the goal's type, so it is exact for any threshold on a bucket edge."""

from __future__ import annotations

from datetime import date

from ventanilla.auth import Principal
from ventanilla.errors import Conflict, NotFound
from ventanilla.models.common import is_code, utcnow
from ventanilla.models.stats import Compliance, Goal, GoalIn, GoalList, GoalStatus
from ventanilla.services.canned import slug_of
from ventanilla.services.due_dates import institution_today as today
from ventanilla.stats import figures as f
from ventanilla.stats.keys import month_sk, slice_key
from ventanilla.storage import stats as store

MANAGERS = ("supervisor", "admin")
TREND_MONTHS = 6


def manage_list(principal: Principal) -> GoalList:
    principal.require(*MANAGERS)
    return GoalList(items=sorted(store.list_goals(), key=lambda g: (g.type_code, g.id)))


def create(principal: Principal, body: GoalIn) -> Goal:
    principal.require(*MANAGERS)
    if len(store.list_goals()) >= store.MAX_GOALS:
        raise Conflict("goals_full")
    fields = body.model_dump(exclude={"version"})
    goal = Goal(
        id=slug_of(body.name.es), updated_at=utcnow(), updated_by=principal.username, version=1, **fields
    )
    if not store.put_goal(goal, create=True):
        raise Conflict("goal_exists")
    return goal


def update(principal: Principal, goal_id: str, body: GoalIn) -> Goal:
    principal.require(*MANAGERS)
    if not is_code(goal_id):
        raise NotFound("goal_not_found")
    current = store.get_goal(goal_id)
    if current is None:
        raise NotFound("goal_not_found")
    if body.version is not None and body.version != current.version:
        raise Conflict("goal_changed", {"expected": body.version, "actual": current.version})
    fields = body.model_dump(exclude={"version"})
    goal = Goal(
        id=goal_id,
        updated_at=utcnow(),
        updated_by=principal.username,
        version=current.version + 1,
        **fields,
    )
    # Conditioned on the version just read, so two saves of the same version never both win.
    if not store.put_goal(goal, create=False, expected=current.version):
        if store.get_goal(goal_id) is None:
            raise NotFound("goal_not_found")
        raise Conflict("goal_changed", {"expected": current.version})
    return goal


def delete(principal: Principal, goal_id: str) -> None:
    principal.require(*MANAGERS)
    if not is_code(goal_id) or not store.delete_goal(goal_id):
        raise NotFound("goal_not_found")


def _month_back(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def _period_months(goal: Goal, current: date) -> list[str]:
    """The months of the goal's current period up to this one."""
    if goal.period == "year":
        first = date(current.year, 1, 1)
    elif goal.period == "quarter":
        first = date(current.year, (current.month - 1) // 3 * 3 + 1, 1)
    else:
        first = date(current.year, current.month, 1)
    months = []
    m = first
    while m <= current:
        months.append(m.strftime("%Y-%m"))
        m = _month_back(m, -1)
    return months


def statuses(type_filter: str | None = None, *, public_only: bool = False) -> list[GoalStatus]:
    goals = [
        g
        for g in store.list_goals()
        if (type_filter in (None, g.type_code)) and (g.public or not public_only)
    ]
    current = today().replace(day=1)
    oldest = min(_month_back(current, TREND_MONTHS - 1), date(current.year, 1, 1))
    monthly: dict[str, dict[str, dict[str, int]]] = {}
    out = []
    for goal in sorted(goals, key=lambda g: (g.type_code, g.id)):
        if goal.type_code not in monthly:
            rows = store.rows(
                slice_key({"type": goal.type_code}),
                month_sk(oldest.strftime("%Y-%m")),
                month_sk(current.strftime("%Y-%m")),
            )
            monthly[goal.type_code] = {sk[2:]: r for sk, r in rows.items()}
        by_month = monthly[goal.type_code]
        months = _period_months(goal, current)
        now_c = f.compliance(
            f"{months[0]}..{months[-1]}",
            f.total(by_month.get(m, {}) for m in months),
            goal.metric,
            goal.threshold_hours,
        )
        trend: list[Compliance] = []
        for back in range(TREND_MONTHS - 1, -1, -1):
            m = _month_back(current, back).strftime("%Y-%m")
            trend.append(f.compliance(m, by_month.get(m, {}), goal.metric, goal.threshold_hours))
        on_track = None if now_c.pct is None else now_c.pct >= goal.target_pct
        out.append(GoalStatus(goal=goal, current=now_c, trend=trend, on_track=on_track))
    return out
