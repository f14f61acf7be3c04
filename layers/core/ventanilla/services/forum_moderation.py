"""Forum moderation (issue 15): moderators (Cognito group ``moderator``, and admins) hide and
restore posts, approve held ones, lock, move and merge topics, warn, suspend and ban accounts.
Every action is logged with its reason (the month's log) and the author sees it in their notices.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ventanilla import clock
from ventanilla.auth import Principal
from ventanilla.errors import Conflict, FieldError, NotFound, ValidationFailed
from ventanilla.models.common import iso
from ventanilla.models.forum import (
    ForumAccountOut,
    ForumAuthor,
    ForumModEntry,
    ForumModLog,
    ForumQueue,
    ForumQueueItem,
)
from ventanilla.services import forum, forum_stats
from ventanilla.storage import forum as store
from ventanilla.storage.table import cursor_in, cursor_out

MODERATORS = ("moderator", "admin")


def _entry(by: Principal, action: str, reason: str | None, **more: Any) -> dict[str, Any]:
    return {
        "at": iso(clock.now()),
        "action": action,
        "moderator": by.username,
        **{k: v for k, v in {"reason": reason, **more}.items() if v is not None},
    }


def _post(tid: str, post_id: str) -> dict[str, Any]:
    post = store.get_post(tid, post_id, consistent=True)
    if post is None:
        raise NotFound("forum_not_found")
    return post


def _save(post: dict[str, Any], before: dict[str, Any], extra: list[dict[str, Any]]) -> None:
    if not store.save_post(post, int(before["version"]), extra):
        raise Conflict("forum_stale")


def _topic_listing_writes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """Tag pointers follow whether the topic is listed (published, not merged)."""
    was = before.get("status") == "published" and not before.get("merged_into")
    now = after.get("status") == "published" and not after.get("merged_into")
    if was and not now:
        return store.tag_writes(before, add=False)
    if now and not was:
        return store.tag_writes(after, add=True)
    if was and before.get("tags") != after.get("tags"):
        return store.tag_writes(before, add=False) + store.tag_writes(after, add=True)
    return []


def set_status(by: Principal, tid: str, post_id: str, action: str, reason: str | None) -> ForumModEntry:
    """hide, restore (a hidden post) or approve (a held one); each handles the post's open reports.
    Only hiding shows its reason to the author; approving needs none."""
    post = _post(tid, post_id)
    wanted = {"hide": ("published", "held"), "restore": ("hidden",), "approve": ("held",)}[action]
    if post["status"] not in wanted:
        raise Conflict("forum_already")
    after = {
        **post,
        "status": "hidden" if action == "hide" else "published",
        "version": int(post["version"]) + 1,
        "open_reports": 0,
    }
    # A post held at writing is shown for the first time when approved (or restored after a hide):
    # only then is it published as far as activity, statistics and followers go.
    first_shown = after["status"] == "published" and bool(post.get("never_shown"))
    if after["status"] == "published":
        after.pop("held_because", None)
        after.pop("never_shown", None)
    if action == "hide":
        after["moderation_reason"] = reason
    else:
        after.pop("moderation_reason", None)
    author = post["author"]["id"]
    entry = _entry(by, action, reason, topic_id=tid, post_id=post_id, account=author)
    counts = {"moderation": 1}  # one counter item per transaction: two updates of one shard are refused
    topic = post if post_id == "topic" or not first_shown else _post(tid, "topic")
    if post_id == "topic":
        extra = _topic_listing_writes(post, after)
        if first_shown:
            counts["topics"] = 1
    else:
        extra = forum.reply_count_writes(tid, post, after, topic if first_shown else None, entry["at"])
        if first_shown:
            counts.update(forum._reply_counts(topic, entry["at"], author.startswith("staff:")))
    extra += [*store.log_moderation(entry, author), store.count(forum_stats.day_of(entry["at"]), counts)]
    if first_shown and not author.startswith("staff:"):
        extra.append(forum._published_once(author))
    _save(after, post, extra)
    listed = topic.get("status") == "published" and not topic.get("merged_into")
    if first_shown and post_id != "topic" and listed:  # not into a topic hidden or merged meanwhile
        forum._notify_followers(topic, post_id, "forum_reply", author)
    return ForumModEntry.model_validate(entry)


def dismiss(by: Principal, tid: str, post_id: str, reason: str | None) -> ForumModEntry:
    """The reports were looked at and the post stays: it leaves the queue."""
    post = _post(tid, post_id)
    if not post.get("open_reports"):
        raise Conflict("forum_already")
    after = {**post, "open_reports": 0, "version": int(post["version"]) + 1}
    entry = _entry(by, "dismiss", reason, topic_id=tid, post_id=post_id)
    _save(
        after,
        post,
        [*store.log_moderation(entry, None), store.count(forum_stats.day_of(entry["at"]), {"moderation": 1})],
    )
    return ForumModEntry.model_validate(entry)


def topic_action(
    by: Principal, tid: str, action: str, reason: str, category: str | None = None, into: str | None = None
) -> ForumModEntry:
    """lock, unlock, move (to ``category``) or merge (into topic ``into``)."""
    topic = _post(tid, "topic")
    after = {**topic, "version": int(topic["version"]) + 1}
    if action in ("lock", "unlock"):
        if bool(topic.get("locked")) == (action == "lock"):
            raise Conflict("forum_already")
        after["locked"] = action == "lock"
    elif action == "move":
        if store.get_category(category or "") is None:
            raise ValidationFailed("validation_failed", errors=[FieldError("category", "forum_no_category")])
        if topic["category"] == category:
            raise Conflict("forum_already")
        after["category"] = category
    elif action == "merge":
        target = store.get_post(into or "", "topic")
        if into == tid or target is None or target.get("merged_into"):
            raise ValidationFailed("validation_failed", errors=[FieldError("into", "forum_not_found")])
        if topic.get("merged_into"):
            raise Conflict("forum_already")
        after["merged_into"] = into
        after["locked"] = True
    author = topic["author"]["id"]
    entry = _entry(by, action, reason, topic_id=tid, account=author)
    extra = [
        *store.log_moderation(entry, author),
        store.count(forum_stats.day_of(entry["at"]), {"moderation": 1}),
    ]
    extra += _topic_listing_writes(topic, after)
    if action == "move" and topic["status"] == "published" and not topic.get("merged_into"):
        pass  # GSI1 keys are derived from the category on save: the topic changes listing at once
    if not after.get("GSI1PK"):
        after.pop("GSI1PK", None)
    _save(after, topic, extra)
    return ForumModEntry.model_validate(entry)


def account_action(
    by: Principal, account: str, action: str, reason: str, days: int | None = None
) -> ForumAccountOut:
    """warn, suspend (for ``days``), ban or unban a forum account (citizen or staff)."""
    if not (account.startswith("acct-") or account.startswith("staff:")):
        raise NotFound("forum_not_found")
    until = None
    sets: dict[str, Any] = {}
    add: dict[str, int] | None = None
    if action == "warn":
        add = {"warnings": 1}
    elif action == "suspend":
        until = iso(clock.now() + timedelta(days=days or 1))
        sets["suspended_until"] = until
    elif action == "ban":
        sets["status"] = "banned"
    elif action == "unban":
        sets["status"] = "active"
        sets["suspended_until"] = iso(clock.now())
    entry = _entry(by, action, reason, account=account, until=until)
    store.update_account(account, sets, add)
    store.write(
        [
            *store.log_moderation(entry, account),
            store.count(forum_stats.day_of(entry["at"]), {"moderation": 1}),
        ]
    )
    return account_state(account)


def account_state(account: str) -> ForumAccountOut:
    """A forum account as moderators see it: status, suspension, warnings, published posts."""
    if not (account.startswith("acct-") or account.startswith("staff:")):
        raise NotFound("forum_not_found")
    if account.startswith("acct-"):
        from ventanilla.auth import CitizenPrincipal

        return forum.my_account(
            CitizenPrincipal(account.removeprefix("acct-"), None, False, None, False, "", 0)
        )
    return forum.account_out(account, store.get_account(account) or {}, terms_accepted=True)


def queue(kind: str, cursor: str | None, limit: int) -> ForumQueue:
    """Held posts (oldest first) or reported ones (most reports first): one GSI3 Query."""
    start = cursor_in(cursor)
    if start and start.get("GSI3PK") != f"FMODQ#{kind}":
        raise ValidationFailed("validation_failed", errors=[FieldError("cursor", "invalid_cursor")])
    items, last = store.queue(kind, start, limit)
    titles = store.get_topics([i.get("topic_id", i["id"]) for i in items])
    out = []
    for item in items:
        tid = item.get("topic_id", item["id"])
        out.append(
            ForumQueueItem(
                topic_id=tid,
                post_id=item.get("post_id", "topic"),
                status=item["status"],
                reports=int(item.get("open_reports", 0)),
                reasons={k: int(v) for k, v in item.get("reasons", {}).items()},
                author=ForumAuthor.model_validate(item["author"]),
                excerpt=item["body"][:400],
                title=titles.get(tid, {}).get("title", ""),
                held_because=item.get("held_because"),
                at=item.get("reported_at") or item["created_at"],
            )
        )
    return ForumQueue(items=out, next_cursor=cursor_out(last))


def log(month: str | None, cursor: str | None, limit: int) -> ForumModLog:
    month = month or iso(clock.now())[:7]
    start = cursor_in(cursor)
    if start and start.get("PK") != f"FMODLOG#{month}":
        raise ValidationFailed("validation_failed", errors=[FieldError("cursor", "invalid_cursor")])
    items, last = store.moderation_log(month, start, limit)
    return ForumModLog(items=[ForumModEntry.model_validate(i) for i in items], next_cursor=cursor_out(last))
