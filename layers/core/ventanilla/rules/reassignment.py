"""Who may hand a request to whom: the reassignment matrix (README, "Reassignment").

| actor | target team | assignee |
|---|---|---|
| agent-l1 | the request's own team only | agents of that team (not supervisors or admins) |
| agent-l2, agent-l3 | any of their teams | anyone in that team, supervisors included |
| supervisor, admin | any team | anyone in that team |

Every assignee must belong to the target team; the request must already be in one of the actor's
teams (checked before this rule runs).
"""

from __future__ import annotations

from collections.abc import Collection

from ventanilla.errors import Forbidden

ANYWHERE = frozenset({"supervisor", "admin"})
ACROSS_OWN_TEAMS = frozenset({"agent-l2", "agent-l3"})
NOT_FOR_L1 = frozenset({"supervisor", "admin"})
"""Roles an agent-l1 cannot hand a request to."""


def check_reassign(
    actor_roles: Collection[str],
    actor_teams: Collection[str],
    current_team: str,
    target_team: str,
    assignee_roles: Collection[str] | None,
) -> None:
    """Raise Forbidden unless the matrix lets the actor move the request to ``target_team`` and
    ``assignee`` (None: no assignee given)."""
    roles = set(actor_roles)
    if roles & ANYWHERE:
        return
    if target_team not in actor_teams:
        raise Forbidden("reassign_team_not_yours", {"team": target_team})
    if roles & ACROSS_OWN_TEAMS:
        return
    if target_team != current_team:
        raise Forbidden("reassign_other_team", {"team": target_team})
    if assignee_roles is not None and set(assignee_roles) & NOT_FOR_L1:
        raise Forbidden("reassign_to_supervisor")
