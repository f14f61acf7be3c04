"""Notices to a topic's followers: a reply, an accepted answer. Each follower gets one line in
their forum notices (the portal shows them); at most one page of followers per event (200)."""

from __future__ import annotations

from typing import Any

from ventanilla import clock
from ventanilla.models.common import iso
from ventanilla.storage import forum as store


def announce(topic: dict[str, Any], post_id: str, kind: str, by: str) -> int:
    followers, _ = store.followers(topic["id"])
    at = iso(clock.now())
    action = "reply" if kind == "forum_reply" else "accepted"
    items = []
    for account in followers:
        if account == by:
            continue
        entry = {
            "at": at,
            "action": action,
            "reason": topic["title"],
            "moderator": "",
            "topic_id": topic["id"],
            "post_id": post_id,
            "account": account,
        }
        items += store.log_moderation(entry, account)[1:]
    store.write(items)
    return len(items)
