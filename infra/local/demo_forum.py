"""The demo forum of ``make dev``: categories, a dozen Spanish topics with replies, a pinned staff
announcement and accepted answers (one by staff, one by a neighbour), written through the forum's
own service functions as their authors would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ventanilla.auth import CitizenPrincipal
from ventanilla.models.forum import ForumCategoryIn, ForumReplyIn, ForumTopicIn

SEED = Path(__file__).resolve().parents[1] / "seed" / "forum.json"


def seed_forum(staff: dict[str, Any]) -> int:
    """Write the demo forum; ``staff`` maps usernames to principals. The number of topics."""
    from ventanilla.services import forum
    from ventanilla.storage import forum as store

    data = json.loads(SEED.read_text(encoding="utf-8"))
    for category in data["categories"]:
        forum.put_category(ForumCategoryIn.model_validate(category), "es")
    people = []
    for person in data["people"]:
        citizen = CitizenPrincipal(person["sub"], None, False, None, False, person["name"], 0)
        forum.accept_terms(citizen)
        store.update_account(citizen.citizen_id, {}, {"published": 1})  # known: not held as new
        people.append(citizen)

    def who(ref: Any) -> Any:
        return staff[ref.removeprefix("staff:")] if isinstance(ref, str) else people[ref]

    for topic in data["topics"]:
        author = who(topic["by"])
        body = ForumTopicIn(
            category=topic["category"],
            title=topic["title"],
            body=topic["body"],
            tags=topic.get("tags", []),
            pinned=topic.get("pinned", False),
        )
        made = forum.create_topic(author, body, "es")
        for reply in topic["replies"]:
            answer = forum.reply(who(reply["by"]), made.topic_id, ForumReplyIn(body=reply["body"]), "es")
            if reply.get("accepted"):
                forum.accept(author, made.topic_id, answer.post_id)
    return len(data["topics"])
