"""The community forum (issue 15): topics, replies, votes, accepted answers, edits with history,
staff announcements and links to help or a request type; citizens write after accepting the
forum's terms (a ``forum`` consent in the ledger), staff write with a badge.

Everything a citizen posts passes :mod:`ventanilla.rules.forum_safety` first: personal data is
masked, a listed word refuses the post, a foreign link is held or refused (institution's rules),
and the first posts of a new account wait for a moderator. Moderation is in
:mod:`ventanilla.services.forum_moderation`.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, NamedTuple

from ventanilla import clock
from ventanilla.auth import CitizenPrincipal, Principal
from ventanilla.errors import Conflict, FieldError, Forbidden, NotFound, TooManyRequests, ValidationFailed
from ventanilla.i18n import Lang, message
from ventanilla.models.common import iso
from ventanilla.models.forum import (
    ForumAccountOut,
    ForumAuthor,
    ForumCategories,
    ForumCategoryIn,
    ForumCategoryOut,
    ForumEditIn,
    ForumHistory,
    ForumLinksIn,
    ForumModEntry,
    ForumPostOut,
    ForumReplyIn,
    ForumReportIn,
    ForumRevision,
    ForumRulesIn,
    ForumRulesOut,
    ForumTopicIn,
    ForumTopicList,
    ForumTopicOut,
    ForumTopicSummary,
    ForumWritten,
)
from ventanilla.rules import forum_safety
from ventanilla.rules.rate_limit import Limit, decide
from ventanilla.services import forum_stats
from ventanilla.settings import get_settings
from ventanilla.storage import forum as store
from ventanilla.storage import limits
from ventanilla.storage.table import cursor_in, cursor_out

PAGE = 20
DEFAULT_RULES = ForumRulesIn()
MASK_WORDS = {
    "es": {"rut": "RUT", "email": "correo", "phone": "teléfono"},
    "en": {"rut": "RUT", "email": "email", "phone": "phone"},
}

Actor = Principal | CitizenPrincipal


# ---- who is writing --------------------------------------------------------------------------------


def account_of(actor: Actor) -> str:
    return actor.citizen_id if isinstance(actor, CitizenPrincipal) else f"staff:{actor.username}"


def author_of(actor: Actor) -> ForumAuthor:
    if isinstance(actor, Principal):
        return ForumAuthor(
            id=account_of(actor), name=actor.name or actor.username, kind="staff", staff_badge=True
        )
    name = actor.name.strip() or f"Vecino/a {actor.sub[:4]}"
    return ForumAuthor(id=actor.citizen_id, name=name, kind="citizen")


def is_moderator(actor: Actor | None) -> bool:
    return isinstance(actor, Principal) and bool(actor.groups & {"moderator", "admin"})


def current_rules() -> ForumRulesIn:
    stored = store.rules()
    return (
        ForumRulesIn.model_validate({k: v for k, v in stored.items() if k in ForumRulesIn.model_fields})
        if stored
        else DEFAULT_RULES
    )


def get_rules() -> ForumRulesOut:
    return ForumRulesOut.model_validate(current_rules().model_dump())


def put_rules(body: ForumRulesIn) -> ForumRulesOut:
    store.put_rules(body.model_dump())
    return get_rules()


def terms_accepted(citizen_id: str) -> bool:
    """The newest ``forum`` line of the consent ledger says given."""
    from ventanilla.storage import accounts as account_store

    given = [c for c in account_store.consents(citizen_id) if c.purpose == "forum"]
    return bool(given) and given[-1].given


def _gate(actor: Actor) -> dict[str, Any]:
    """403 unless this account may write now (banned, suspended, terms not accepted); its state."""
    account = account_of(actor)
    state = store.get_account(account) or {}
    if state.get("status") == "banned":
        raise Forbidden("forum_banned")
    until = state.get("suspended_until")
    if until and until > iso(clock.now()):
        raise Forbidden("forum_suspended", {"until": until[:16].replace("T", " ")})
    if isinstance(actor, CitizenPrincipal) and not terms_accepted(account):
        raise Forbidden("forum_terms_required")
    return state


def _take_rate(account: str, rules: ForumRulesIn) -> None:
    key = hashlib.sha256(account.encode()).hexdigest()
    limit = Limit(rules.posts_per_hour, 3600)
    now = clock.now().timestamp()
    seen = limits.read("forum", key)
    decision = decide(seen, now, limit)
    if not decision.allowed:
        from ventanilla.services.intake_guard import _retry

        raise TooManyRequests("forum_too_fast", _retry(decision.retry_after))
    limits.write("forum", key, seen, decision.tat, int(decision.tat + limit.seconds) + 60)


def _screen(
    actor: Actor, fields: dict[str, str], state: dict[str, Any], rules: ForumRulesIn
) -> tuple[dict[str, str], set[str], str | None]:
    """The fields as they may be published, the kinds masked and why the post is held (or None)."""
    if isinstance(actor, Principal):
        return fields, set(), None
    out: dict[str, str] = {}
    kinds: set[str] = set()
    errors: list[FieldError] = []
    held: str | None = None
    country = get_settings().country
    for name, text in fields.items():
        words = forum_safety.banned_words(text, rules.words)
        if words:
            errors.append(FieldError(name, "forum_words", {"words": ", ".join(words)}))
        hosts = forum_safety.foreign_links(text, rules.allowed_domains)
        if hosts and rules.link_policy == "block":
            errors.append(FieldError(name, "forum_links", {"hosts": ", ".join(hosts)}))
        elif hosts and rules.link_policy == "hold":
            held = "links"
        masked = forum_safety.mask_personal_data(text, country)
        out[name] = masked.text
        kinds |= masked.kinds
    if errors:
        raise ValidationFailed("validation_failed", errors=errors)
    if int(state.get("published", 0)) < rules.hold_first_posts:
        held = held or "new_account"
    return out, kinds, held


def _written(tid: str, post_id: str, status: str, kinds: set[str], lang: Lang) -> ForumWritten:
    notes = []
    if kinds:
        named = ", ".join(MASK_WORDS[lang][k] for k in sorted(kinds))
        notes.append(message("forum_masked", lang, kinds=named))
    if status == "held":
        notes.append(message("forum_held", lang))
    return ForumWritten(
        topic_id=tid,
        post_id=post_id,
        status=status,
        masked=sorted(kinds),
        notice=" ".join(notes) or None,
    )


def _mask_notice(account: str, tid: str, post_id: str, kinds: set[str], at: str) -> list[dict[str, Any]]:
    """The masking, as a notice the author keeps (no masked value is ever stored)."""
    if not kinds:
        return []
    entry = {
        "at": at,
        "action": "masked",
        "reason": "datos personales ocultos: " + ", ".join(MASK_WORDS["es"][k] for k in sorted(kinds)),
        "moderator": "sistema",
        "topic_id": tid,
        "post_id": post_id,
        "account": account,
    }
    return store.log_moderation(entry, account)[1:]


# ---- categories ---------------------------------------------------------------------------------------


def _category_out(data: dict[str, Any], lang: Lang) -> ForumCategoryOut:
    return ForumCategoryOut(
        code=data["code"],
        name=data[f"name_{lang}"],
        description=data.get(f"description_{lang}", ""),
        help_section=data.get("help_section"),
        position=int(data.get("position", 100)),
    )


def categories(lang: Lang) -> ForumCategories:
    items = sorted(store.categories(), key=lambda c: (int(c.get("position", 100)), c["code"]))
    return ForumCategories(items=[_category_out(c, lang) for c in items])


def put_category(body: ForumCategoryIn, lang: Lang) -> ForumCategoryOut:
    store.put_category(body.model_dump(exclude_none=True))
    return _category_out(body.model_dump(), lang)


def _require_category(code: str) -> None:
    if store.get_category(code) is None:
        raise ValidationFailed("validation_failed", errors=[FieldError("category", "forum_no_category")])


# ---- reading --------------------------------------------------------------------------------------------


def _summary(topic: dict[str, Any]) -> ForumTopicSummary:
    return ForumTopicSummary(
        id=topic["id"],
        category=topic["category"],
        title=topic["title"],
        tags=topic.get("tags", []),
        author=ForumAuthor.model_validate(topic["author"]),
        status=topic["status"],
        pinned=bool(topic.get("pinned")),
        locked=bool(topic.get("locked")),
        replies=int(topic.get("replies", 0)),
        score=int(topic.get("score", 0)),
        answered=bool(topic.get("accepted_reply_id")),
        created_at=topic["created_at"],
        last_activity_at=topic["last_activity_at"],
        merged_into=topic.get("merged_into"),
    )


def list_topics(category: str | None, tag: str | None, cursor: str | None, limit: int) -> ForumTopicList:
    """A page of a category (pinned first, then latest activity) or of a tag (newest first)."""
    start = cursor_in(cursor)
    if tag:
        if start and start.get("PK") != f"FTAG#{tag}":
            raise ValidationFailed("validation_failed", errors=[FieldError("cursor", "invalid_cursor")])
        items, last = store.tag_page(tag, start, limit)
        items = [t for t in items if t.get("status") == "published" and not t.get("merged_into")]
    else:
        if not category:
            raise ValidationFailed("validation_failed", errors=[FieldError("category", "missing")])
        if start and start.get("GSI1PK") != f"FCAT#{category}":
            raise ValidationFailed("validation_failed", errors=[FieldError("cursor", "invalid_cursor")])
        items, last = store.category_page(category, start, limit)
    return ForumTopicList(items=[_summary(t) for t in items], next_cursor=cursor_out(last))


def _visible(post: dict[str, Any], viewer: Actor | None) -> bool:
    if post.get("status") == "published":
        return True
    return is_moderator(viewer) or (viewer is not None and post["author"]["id"] == account_of(viewer))


def _post_out(post: dict[str, Any], topic: dict[str, Any], viewer: Actor | None) -> ForumPostOut:
    own = viewer is not None and post["author"]["id"] == account_of(viewer)
    post_id = post.get("post_id", "topic")
    return ForumPostOut(
        id=post_id,
        topic_id=topic["id"],
        author=ForumAuthor.model_validate(post["author"]),
        body_html=post["body_html"],
        body=post["body"] if own else None,
        status=post["status"],
        created_at=post["created_at"],
        edited_at=post.get("edited_at"),
        edits=int(post.get("edits", 0)),
        score=int(post.get("score", 0)),
        accepted=post_id != "topic" and topic.get("accepted_reply_id") == post_id,
        quote=post.get("quote"),
        moderation_reason=post.get("moderation_reason") if (own or is_moderator(viewer)) else None,
    )


def _topic(tid: str, viewer: Actor | None = None) -> dict[str, Any]:
    topic = store.get_post(tid, "topic", consistent=True)
    if topic is None or not _visible(topic, viewer):
        raise NotFound("forum_not_found")
    return topic


def get_topic(tid: str, viewer: Actor | None, cursor: str | None, limit: int) -> ForumTopicOut:
    """The topic and one page of replies: one GetItem and one Query, whatever the forum's size."""
    topic = _topic(tid, viewer)
    start = cursor_in(cursor)
    if start and start.get("PK") != store.topic_pk(tid):
        raise ValidationFailed("validation_failed", errors=[FieldError("cursor", "invalid_cursor")])
    replies, last = store.replies(tid, start, limit)
    following = isinstance(viewer, CitizenPrincipal) and store.is_following(tid, account_of(viewer))
    return ForumTopicOut(
        **_summary(topic).model_dump(),
        post=_post_out(topic, topic, viewer),
        replies_page=[_post_out(r, topic, viewer) for r in replies if _visible(r, viewer)],
        next_cursor=cursor_out(last),
        accepted_reply_id=topic.get("accepted_reply_id"),
        help_article=topic.get("help_article"),
        request_type=topic.get("request_type"),
        following=following,
    )


def history(tid: str, post_id: str, viewer: Actor | None) -> ForumHistory:
    post = store.get_post(tid, post_id)
    if post is None or not _visible(post, viewer) or not _visible(_topic(tid, viewer), viewer):
        raise NotFound("forum_not_found")
    return ForumHistory(items=[ForumRevision.model_validate(r) for r in store.revisions(tid, post_id)])


# ---- writing ---------------------------------------------------------------------------------


def _render(body: str) -> str:
    from ventanilla.help.articles import render_html

    return render_html(body)


class _Admitted(NamedTuple):
    """A new post let in: its fields as published, the kinds masked, why it is held (or None),
    the author's forum account, when, its new id and its status (held or published)."""

    fields: dict[str, str]
    kinds: set[str]
    held: str | None
    account: str
    at: str
    id: str
    status: str


def _admit(
    actor: Actor, fields: dict[str, str], state: dict[str, Any], rules: ForumRulesIn, prefix: str
) -> _Admitted:
    """Screen a new topic's or reply's ``fields`` and count it against a citizen's rate."""
    fields, kinds, held = _screen(actor, fields, state, rules)
    account = account_of(actor)
    if isinstance(actor, CitizenPrincipal):
        _take_rate(account, rules)
    now = clock.now()
    status = "held" if held else "published"
    return _Admitted(fields, kinds, held, account, iso(now), store.new_id(prefix, now), status)


def create_topic(actor: Actor, body: ForumTopicIn, lang: Lang) -> ForumWritten:
    state = _gate(actor)
    if body.pinned and not isinstance(actor, Principal):
        raise Forbidden("forum_staff_only")
    _require_category(body.category)
    rules = current_rules()
    tags = sorted({forum_safety.fold(t).strip().replace(" ", "-") for t in body.tags if t.strip()})
    for i, tag in enumerate(tags):
        if not tag.replace("-", "").isalnum() or len(tag) > 40:
            raise ValidationFailed(
                "validation_failed",
                errors=[FieldError(f"tags.{i}", "string_pattern_mismatch", {"pattern": "[a-z0-9-]"})],
            )
    fields, kinds, held, account, at, tid, status = _admit(
        actor, {"title": body.title, "body": body.body}, state, rules, "t"
    )
    topic = {
        "id": tid,
        "category": body.category,
        "title": fields["title"],
        "body": fields["body"],
        "body_html": _render(fields["body"]),
        "tags": tags,
        "author": author_of(actor).model_dump(),
        "status": status,
        "pinned": bool(body.pinned),
        "locked": False,
        "replies": 0,
        "score": 0,
        "created_at": at,
        "last_activity_at": at,
        "version": 1,
        "edits": 0,
        "open_reports": 0,
    }
    if held:
        topic["held_because"] = held
        topic["never_shown"] = True  # counted, listed and announced when first approved
    store.put_topic(topic)
    extra = _mask_notice(account, tid, "topic", kinds, at)
    extra.append(store.count(forum_stats.day_of(at), {"topics": 1} if status == "published" else {"held": 1}))
    if status == "published":
        extra.append(_published_once(account))
    store.write(extra)
    return _written(tid, "topic", status, kinds, lang)


def _published_once(account: str) -> dict[str, Any]:
    from ventanilla.storage.table import table

    return {
        "Update": {
            "TableName": table().name,
            "Key": {"PK": f"FUSER#{account}", "SK": "STATE"},
            "UpdateExpression": "ADD published :one SET entity = :e",
            "ExpressionAttributeValues": {":one": 1, ":e": "forum_account"},
        }
    }


def reply(actor: Actor, tid: str, body: ForumReplyIn, lang: Lang) -> ForumWritten:
    state = _gate(actor)
    topic = _topic(tid, actor)
    if topic["status"] != "published" or topic.get("merged_into"):
        raise NotFound("forum_not_found")
    if topic.get("locked"):
        raise Conflict("forum_locked")
    quote = None
    if body.quote_of:
        quoted = store.get_post(tid, body.quote_of)
        if quoted is None or quoted.get("status") != "published":
            raise ValidationFailed("validation_failed", errors=[FieldError("quote_of", "forum_not_found")])
        text = forum_safety.mask_personal_data(quoted["body"]).text
        quote = {"post_id": body.quote_of, "author": quoted["author"]["name"], "excerpt": text[:280]}
    rules = current_rules()
    fields, kinds, held, account, at, rid, status = _admit(actor, {"body": body.body}, state, rules, "r")
    text = fields["body"]
    if quote:
        quoted_md = "\n".join("> " + line for line in quote["excerpt"].splitlines())
        html = _render(f"> **{quote['author']}:**\n>\n{quoted_md}\n\n{text}")
    else:
        html = _render(text)
    item = {
        "id": rid,
        "post_id": rid,
        "topic_id": tid,
        "body": text,
        "body_html": html,
        "author": author_of(actor).model_dump(),
        "status": status,
        "created_at": at,
        "score": 0,
        "version": 1,
        "edits": 0,
        "open_reports": 0,
    }
    if quote:
        item["quote"] = quote
    if held:
        item["held_because"] = held
        item["never_shown"] = True  # counted, listed and announced when first approved
    update = None
    if status == "published":
        update = _activity(topic, at, isinstance(actor, Principal))
    if not store.put_reply(item, update):
        raise Conflict("forum_locked")
    extra = _mask_notice(account, tid, rid, kinds, at)
    if status == "published":
        extra.append(_published_once(account))
        extra.append(
            store.count(forum_stats.day_of(at), _reply_counts(topic, at, isinstance(actor, Principal)))
        )
    else:
        extra.append(store.count(forum_stats.day_of(at), {"held": 1}))
    store.write(extra)
    if status == "published":
        _notify_followers(topic, rid, "forum_reply", account)
    return _written(tid, rid, status, kinds, lang)


def reply_count_writes(
    tid: str, before: dict[str, Any], after: dict[str, Any], first_shown_in: dict[str, Any] | None, at: str
) -> list[dict[str, Any]]:
    """The topic's reply count follows a reply shown or hidden; one shown for the first time (in
    topic ``first_shown_in``) is activity at ``at``, as a reply published at once is."""
    from ventanilla.storage.table import table

    delta = (after["status"] == "published") - (before["status"] == "published")
    if not delta:
        return []
    update: dict[str, Any] = {
        "TableName": table().name,
        "Key": {"PK": store.topic_pk(tid), "SK": "TOPIC"},
        "UpdateExpression": "ADD replies :d",
        "ExpressionAttributeValues": {":d": delta},
    }
    if first_shown_in is not None:
        activity = _activity(first_shown_in, at, by_staff=False)
        update["UpdateExpression"] = "SET " + ", ".join(f"{k} = :{k}" for k in activity) + " ADD replies :d"
        update["ExpressionAttributeValues"].update({f":{k}": v for k, v in activity.items()})
    return [{"Update": update}]


def _activity(topic: dict[str, Any], at: str, by_staff: bool) -> dict[str, Any]:
    update: dict[str, Any] = {"last_activity_at": at}
    if topic["status"] == "published" and not topic.get("merged_into"):
        update.update(store.listing_keys({**topic, "last_activity_at": at}))
    if not topic.get("first_reply_at"):
        update["first_reply_at"] = at
    return update


def _minutes_between(first: str, last: str) -> int:
    a = datetime.fromisoformat(first.replace("Z", "+00:00"))
    b = datetime.fromisoformat(last.replace("Z", "+00:00"))
    return max(0, int((b - a).total_seconds() // 60))


def _reply_counts(topic: dict[str, Any], at: str, by_staff: bool) -> dict[str, int]:
    counts = {"replies": 1}
    if by_staff:
        counts["replies_by_staff"] = 1
    if not topic.get("first_reply_at"):
        counts["first_replies"] = 1
        counts["first_reply_minutes"] = _minutes_between(topic["created_at"], at)
    return counts


def _own_post(actor: Actor, tid: str, post_id: str) -> dict[str, Any]:
    post = store.get_post(tid, post_id, consistent=True)
    if post is None or not _visible(post, actor):
        raise NotFound("forum_not_found")
    if post["author"]["id"] != account_of(actor):
        raise Forbidden("forum_not_author")
    return post


def edit(actor: Actor, tid: str, post_id: str, body: ForumEditIn, lang: Lang) -> ForumWritten:
    """An author's edit: the text before it kept as a revision (the history anyone may read)."""
    state = _gate(actor)
    post = _own_post(actor, tid, post_id)
    topic = post if post_id == "topic" else _topic(tid, actor)
    if topic.get("locked") and not isinstance(actor, Principal):
        raise Conflict("forum_locked")
    fields_in = {"body": body.body}
    if body.title is not None and post_id == "topic":
        fields_in["title"] = body.title
    rules = current_rules()
    # An edit is screened like a post but never held again for being new: it was reviewed once.
    fields, kinds, held = _screen(actor, fields_in, {**state, "published": 10**6}, rules)
    _take_rate(account_of(actor), rules) if isinstance(actor, CitizenPrincipal) else None
    at = iso(clock.now())
    revision = {"at": at, "by": post["author"]["name"], "body": post["body"]}
    if post_id == "topic":
        revision["title"] = post["title"]
    changed = {
        **post,
        "body": fields["body"],
        "body_html": _render(fields["body"]),
        "edited_at": at,
        "edits": int(post.get("edits", 0)) + 1,
        "version": int(post["version"]) + 1,
    }
    if "title" in fields:
        changed["title"] = fields["title"]
    if held and post["status"] == "published":
        changed["status"] = "held"
        changed["held_because"] = held
    extra = [
        store.put_revision(tid, post_id, revision),
        *_mask_notice(account_of(actor), tid, post_id, kinds, at),
    ]
    if post_id == "topic" and changed["status"] != post["status"]:
        extra += store.tag_writes(post, add=False)
    elif post_id != "topic":
        extra += reply_count_writes(tid, post, changed, None, at)  # a reply held again is not shown
    if not store.save_post(changed, int(post["version"]), extra):
        raise Conflict("forum_stale")
    return _written(tid, post_id, changed["status"], kinds, lang)


def vote(actor: Actor, tid: str, post_id: str, on: bool) -> ForumPostOut:
    _gate(actor)
    post = store.get_post(tid, post_id)
    if post is None or post.get("status") != "published":
        raise NotFound("forum_not_found")
    if on and post["author"]["id"] == account_of(actor):
        raise Conflict("forum_vote_own")  # "useful" is what others found
    topic = post if post_id == "topic" else _topic(tid, actor)
    done = (
        store.add_vote(tid, post_id, account_of(actor), iso(clock.now()))
        if on
        else store.remove_vote(tid, post_id, account_of(actor))
    )
    if not done:
        raise Conflict("forum_already")
    fresh = store.get_post(tid, post_id, consistent=True) or post
    return _post_out(fresh, topic if post_id != "topic" else fresh, actor)


def accept(actor: Actor, tid: str, rid: str | None) -> ForumTopicOut:
    """The topic's author or staff mark (or, with None, unmark) the accepted answer."""
    _gate(actor)
    topic = _topic(tid, actor)
    if topic["author"]["id"] != account_of(actor) and not isinstance(actor, Principal):
        raise Forbidden("forum_accept_by")
    extra: list[dict[str, Any]] = []
    changed = {**topic, "version": int(topic["version"]) + 1}
    if rid is None:
        changed.pop("accepted_reply_id", None)
        changed.pop("accepted_by", None)
    else:
        answer = store.get_post(tid, rid)
        if answer is None or answer.get("status") != "published" or rid == "topic":
            raise NotFound("forum_not_found")
        at = iso(clock.now())
        changed["accepted_reply_id"] = rid
        changed["accepted_by"] = answer["author"]["kind"]
        if not topic.get("accepted_at"):
            changed["accepted_at"] = at
            by = "answered_by_staff" if answer["author"]["kind"] == "staff" else "answered_by_community"
            extra.append(
                store.count(
                    forum_stats.day_of(at),
                    {"answered": 1, by: 1, "accepted_minutes": _minutes_between(topic["created_at"], at)},
                )
            )
    if not store.save_post(changed, int(topic["version"]), extra):
        raise Conflict("forum_stale")
    if rid:
        _notify_followers(topic, rid, "forum_accepted", account_of(actor))
    return get_topic(tid, actor, None, PAGE)


def set_links(actor: Principal, tid: str, body: ForumLinksIn) -> ForumTopicOut:
    """Staff point a topic at a help article or at a request type ("this is a request: file it here")."""
    topic = _topic(tid, actor)
    if body.request_type:
        from ventanilla.storage import catalog

        code = body.request_type.split("/")[0]
        if catalog.get_type(code) is None:
            raise ValidationFailed(
                "validation_failed", errors=[FieldError("request_type", "forum_not_found")]
            )
    changed = {**topic, "version": int(topic["version"]) + 1}
    for name in ("help_article", "request_type"):
        value = getattr(body, name)
        if value:
            changed[name] = value
        else:
            changed.pop(name, None)
    if not store.save_post(changed, int(topic["version"])):
        raise Conflict("forum_stale")
    return get_topic(tid, actor, None, PAGE)


def report(actor: Actor, tid: str, post_id: str, body: ForumReportIn) -> None:
    """One report per person and post; the post climbs the moderation queue by its open reports."""
    _gate(actor)
    post = store.get_post(tid, post_id)
    if post is None or post.get("status") != "published":
        raise NotFound("forum_not_found")
    if post["author"]["id"] == account_of(actor):
        raise Conflict("forum_report_own")  # it would climb the queue on its author's word
    at = iso(clock.now())
    if not store.add_report(
        tid, post_id, account_of(actor), {"reason": body.reason, "note": body.note, "at": at}
    ):
        raise Conflict("forum_already")
    for _ in range(5):
        post = store.get_post(tid, post_id, consistent=True) or post
        reasons = dict(post.get("reasons", {}))
        reasons[body.reason] = int(reasons.get(body.reason, 0)) + 1
        changed = {
            **post,
            "reasons": reasons,
            "open_reports": int(post.get("open_reports", 0)) + 1,
            "reported_at": at,
            "version": int(post["version"]) + 1,
        }
        if store.save_post(
            changed, int(post["version"]), [store.count(forum_stats.day_of(at), {"reports": 1})]
        ):
            return
    raise Conflict("forum_stale")


# ---- the citizen's own forum state -------------------------------------------------------------------------


def accept_terms(citizen: CitizenPrincipal) -> ForumAccountOut:
    from ventanilla.models.accounts import ConsentIn
    from ventanilla.services import accounts

    accounts.set_consent(citizen, ConsentIn(purpose="forum", given=True))
    return my_account(citizen)


def my_account(actor: Actor) -> ForumAccountOut:
    account = account_of(actor)
    accepted = terms_accepted(account) if isinstance(actor, CitizenPrincipal) else True
    return account_out(account, store.get_account(account) or {}, terms_accepted=accepted)


def account_out(account: str, state: dict[str, Any], *, terms_accepted: bool) -> ForumAccountOut:
    """An account's standing in the forum; a suspension that has ended reads as active."""
    until = state.get("suspended_until")
    if until and until <= iso(clock.now()):
        until = None
    return ForumAccountOut(
        account=account,
        status="banned" if state.get("status") == "banned" else ("suspended" if until else "active"),
        suspended_until=until,
        warnings=int(state.get("warnings", 0)),
        published=int(state.get("published", 0)),
        terms_accepted=terms_accepted,
    )


def my_notices(actor: Actor) -> list[ForumModEntry]:
    return [ForumModEntry.model_validate(n) for n in store.notices(account_of(actor))]


def follow(citizen: CitizenPrincipal, tid: str, on: bool) -> None:
    _topic(tid, citizen)
    store.follow(tid, account_of(citizen), iso(clock.now()), on)


def _notify_followers(topic: dict[str, Any], post_id: str, kind: str, by: str) -> None:
    """Tell the topic's followers (not the one who acted) through the notifier's event."""
    from ventanilla.services import forum_notices

    forum_notices.announce(topic, post_id, kind, by)
