"""The community forum (issue 15): public reads; citizens write with an ID token of the citizens'
pool (after accepting the forum's terms), staff with their own token (shown with a staff badge);
moderation under /forum/moderation (group ``moderator`` or admin), every action audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib.http import (
    BEARER,
    CITIZEN_BEARER,
    CURSOR,
    FILER_BEARER,
    Area,
    Param,
    citizen_of,
    is_citizen_token,
    json_response,
    lang_of,
    limit,
    parse_body,
    principal_of,
    q,
    query_int,
    query_params,
)
from ventanilla.auth import CitizenPrincipal, Principal
from ventanilla.errors import Forbidden
from ventanilla.models.forum import (
    ForumAcceptIn,
    ForumAccountOut,
    ForumCategories,
    ForumCategoryIn,
    ForumCategoryOut,
    ForumDone,
    ForumEditIn,
    ForumHistory,
    ForumLinksIn,
    ForumMe,
    ForumMergeIn,
    ForumModEntry,
    ForumModLog,
    ForumMoveIn,
    ForumNoteIn,
    ForumPostOut,
    ForumPreviewIn,
    ForumPreviewOut,
    ForumQueue,
    ForumReasonIn,
    ForumReplyIn,
    ForumReportIn,
    ForumRulesIn,
    ForumRulesOut,
    ForumSearchOut,
    ForumStats,
    ForumSuspendIn,
    ForumTopicIn,
    ForumTopicList,
    ForumTopicOut,
    ForumUnsubscribeOut,
    ForumWritten,
)
from ventanilla.services import forum, forum_moderation, forum_search, forum_stats

bp = Blueprint(__name__)
WRITER: dict[str, str | Param] = {"Authorization": FILER_BEARER}
VIEWER: dict[str, str | Param] = {
    "Authorization": q(
        "optional: a citizen ID token or a staff token (own held posts, moderators)",
        pattern=r"^Bearer [A-Za-z0-9._~+/=-]{1,8192}$",
    )
}
STAFF: dict[str, str | Param] = {"Authorization": BEARER}
CITIZEN: dict[str, str | Param] = {"Authorization": CITIZEN_BEARER}
TOPIC = r"^t[0-9]{17}[0-9a-f]{6}$"
MODS = forum_moderation.MODERATORS
NO_STORE = {"Cache-Control": "no-store"}


def _writer(request: Request) -> CitizenPrincipal | Principal:
    """The citizen (citizens' pool ID token) or staff member (staff token) writing."""
    if is_citizen_token(request):
        return citizen_of(request)
    principal = principal_of(request)
    if not principal.groups:
        raise Forbidden("forum_staff_only")
    return principal


def _viewer(request: Request) -> CitizenPrincipal | Principal | None:
    if not request.headers.get("authorization"):
        return None
    return _writer(request)


def _page(request: Request) -> tuple[str | None, int]:
    return query_params(request).get("cursor"), query_int(request, "limit", forum.PAGE, 1, 50)


writer = Area(bp, "forum", headers=WRITER)
anyone = Area(bp, "forum")
mods = Area(bp, "forum-moderation", roles=MODS, headers=STAFF)
citizen = Area(bp, "forum", headers=CITIZEN)
viewer = Area(bp, "forum", headers=VIEWER)
staff = Area(bp, "forum", auth=True, headers=STAFF)
mod_admins = Area(bp, "forum-moderation", roles=("admin",), headers=STAFF)
mod_leads = Area(bp, "forum-moderation", roles=("supervisor", "admin", "moderator"), headers=STAFF)


@anyone.get(
    "/api/v1/forum/categories", response=ForumCategories, query={"lang": q("es or en", enum=["es", "en"])}
)
def categories() -> Response:
    """The forum's categories"""
    request = bp.current_request
    lang = query_params(request).get("lang") or lang_of(request)
    return json_response(
        forum.categories("en" if lang == "en" else "es"), headers={"Cache-Control": "public, max-age=60"}
    )


@anyone.get(
    "/api/v1/forum/search",
    summary='Search the help centre and the forum: results grouped "Ayuda oficial" then "Comunidad"',
    response=ForumSearchOut,
    query={
        "q": q("what to look for", required=True, minLength=1, maxLength=200),
        "lang": q("es or en", enum=["es", "en"]),
    },
)
def search() -> Response:
    request = bp.current_request
    params = query_params(request)
    text = (params.get("q") or "").strip()
    if not text:
        from ventanilla.errors import FieldError, ValidationFailed

        raise ValidationFailed("validation_failed", errors=[FieldError("q", "missing")])
    lang = params.get("lang") or lang_of(request)
    return json_response(forum_search.search(text, "en" if lang == "en" else "es"))


@anyone.get(
    "/api/v1/forum/topics",
    response=ForumTopicList,
    query={
        "category": q("category code (or give tag)", pattern=r"^[a-z0-9][a-z0-9-]{0,62}$"),
        "tag": q("a tag", pattern=r"^[a-z0-9][a-z0-9-]{0,39}$"),
        "limit": limit(1, 50, 20),
        "cursor": CURSOR,
    },
)
def list_topics() -> Response:
    """Topics of a category (pinned announcements first, then latest activity) or of a tag"""
    request = bp.current_request
    params = query_params(request)
    cursor, size = _page(request)
    return json_response(forum.list_topics(params.get("category"), params.get("tag"), cursor, size))


@writer.post("/api/v1/forum/topics", body=ForumTopicIn, response=ForumWritten, status=201)
def create_topic() -> Response:
    """Open a topic (citizen after the forum's terms, or staff)"""
    request = bp.current_request
    actor = _writer(request)
    body = parse_body(request, ForumTopicIn)
    return json_response(forum.create_topic(actor, body, lang_of(request)), status=201, headers=NO_STORE)


@viewer.get(
    "/api/v1/forum/topics/{topic_id}",
    response=ForumTopicOut,
    query={"limit": limit(1, 50, 20), "cursor": CURSOR},
)
def get_topic(topic_id: str) -> Response:
    """A topic and one page of its replies"""
    request = bp.current_request
    cursor, size = _page(request)
    return json_response(forum.get_topic(topic_id, _viewer(request), cursor, size))


@writer.post("/api/v1/forum/topics/{topic_id}/replies", body=ForumReplyIn, response=ForumWritten, status=201)
def reply(topic_id: str) -> Response:
    """Reply to a topic (may quote a post)"""
    request = bp.current_request
    actor = _writer(request)
    body = parse_body(request, ForumReplyIn)
    return json_response(forum.reply(actor, topic_id, body, lang_of(request)), status=201, headers=NO_STORE)


@writer.put("/api/v1/forum/topics/{topic_id}/posts/{post_id}", body=ForumEditIn, response=ForumWritten)
def edit(topic_id: str, post_id: str) -> Response:
    """Edit my post (the text before is kept in its history)"""
    request = bp.current_request
    actor = _writer(request)
    body = parse_body(request, ForumEditIn)
    return json_response(forum.edit(actor, topic_id, post_id, body, lang_of(request)), headers=NO_STORE)


@viewer.get("/api/v1/forum/topics/{topic_id}/posts/{post_id}/history", response=ForumHistory)
def history(topic_id: str, post_id: str) -> Response:
    """A post's earlier versions, newest first"""
    request = bp.current_request
    return json_response(forum.history(topic_id, post_id, _viewer(request)))


@writer.put("/api/v1/forum/topics/{topic_id}/posts/{post_id}/vote", response=ForumPostOut)
def vote(topic_id: str, post_id: str) -> Response:
    """Vote a post useful (one vote per person)"""
    return json_response(forum.vote(_writer(bp.current_request), topic_id, post_id, True), headers=NO_STORE)


@writer.delete("/api/v1/forum/topics/{topic_id}/posts/{post_id}/vote", response=ForumPostOut)
def unvote(topic_id: str, post_id: str) -> Response:
    """Take my vote back"""
    return json_response(forum.vote(_writer(bp.current_request), topic_id, post_id, False), headers=NO_STORE)


@writer.post(
    "/api/v1/forum/topics/{topic_id}/posts/{post_id}/report",
    body=ForumReportIn,
    response=ForumDone,
    status=202,
)
def report(topic_id: str, post_id: str) -> Response:
    """Report a post to the moderators (once per person)"""
    request = bp.current_request
    actor = _writer(request)
    forum.report(actor, topic_id, post_id, parse_body(request, ForumReportIn))
    return json_response(ForumDone(), status=202, headers=NO_STORE)


@writer.put("/api/v1/forum/topics/{topic_id}/accepted", body=ForumAcceptIn, response=ForumTopicOut)
def accept(topic_id: str) -> Response:
    """Mark the accepted answer (the topic's author or staff)"""
    request = bp.current_request
    actor = _writer(request)
    body = parse_body(request, ForumAcceptIn)
    return json_response(forum.accept(actor, topic_id, body.post_id), headers=NO_STORE)


@staff.put("/api/v1/forum/topics/{topic_id}/links", body=ForumLinksIn, response=ForumTopicOut)
def links(topic_id: str, principal: Principal) -> Response:
    """Link a topic to a help article or a request type (staff)"""
    request = bp.current_request
    if not principal.groups:
        raise Forbidden("forum_staff_only")
    return json_response(
        forum.set_links(principal, topic_id, parse_body(request, ForumLinksIn)), headers=NO_STORE
    )


@citizen.put("/api/v1/forum/topics/{topic_id}/follow", response=ForumDone)
def follow(topic_id: str) -> Response:
    """Follow a topic (notices of replies and an accepted answer)"""
    forum.follow(citizen_of(bp.current_request), topic_id, True)
    return json_response(ForumDone(), headers=NO_STORE)


@citizen.delete("/api/v1/forum/topics/{topic_id}/follow", response=ForumDone)
def unfollow(topic_id: str) -> Response:
    """Stop following a topic"""
    forum.follow(citizen_of(bp.current_request), topic_id, False)
    return json_response(ForumDone(), headers=NO_STORE)


@anyone.get("/api/v1/forum/unsubscribe/{token}", response=ForumUnsubscribeOut)
def unsubscribe_look(token: str) -> Response:
    """What a topic's signed unsubscribe link stops (changes nothing: link scanners follow GETs)"""
    from ventanilla.services import forum_mail

    return json_response(forum_mail.unsubscribe(token, confirm=False), headers=NO_STORE)


@anyone.post("/api/v1/forum/unsubscribe/{token}", response=ForumUnsubscribeOut)
def unsubscribe(token: str) -> Response:
    """Honour a topic's signed unsubscribe link (also the RFC 8058 one-click POST): unfollow it"""
    from ventanilla.services import forum_mail

    return json_response(forum_mail.unsubscribe(token, confirm=True), headers=NO_STORE)


@anyone.post("/api/v1/forum/preview", body=ForumPreviewIn, response=ForumPreviewOut)
def preview() -> Response:
    """How a post will look: HTML and what personal data would be hidden"""
    from ventanilla.rules.forum_safety import mask_personal_data
    from ventanilla.settings import get_settings

    body = parse_body(bp.current_request, ForumPreviewIn)
    masked = mask_personal_data(body.body, get_settings().country)
    out = ForumPreviewOut(html=forum._render(masked.text), masked=sorted(masked.kinds))
    return json_response(out, headers=NO_STORE)


@citizen.post("/api/v1/forum/terms", response=ForumAccountOut, status=201)
def terms() -> Response:
    """Accept the forum's rules (a 'forum' consent in my ledger)"""
    return json_response(forum.accept_terms(citizen_of(bp.current_request)), status=201, headers=NO_STORE)


@writer.get("/api/v1/forum/me", response=ForumMe)
def me() -> Response:
    """My forum account and my notices (moderation with its reason, replies)"""
    actor = _writer(bp.current_request)
    return json_response(
        ForumMe(account=forum.my_account(actor), notices=forum.my_notices(actor)), headers=NO_STORE
    )


# ---- moderation -------------------------------------------------------------------------------------


@mods.get(
    "/api/v1/forum/moderation/queue",
    response=ForumQueue,
    query={
        "kind": q("reported (default) or held", enum=["reported", "held"]),
        "limit": limit(1, 50, 20),
        "cursor": CURSOR,
    },
)
def mod_queue() -> Response:
    """Posts awaiting a moderator: reported (most reports first) or held (oldest first)"""
    request = bp.current_request
    cursor, size = _page(request)
    kind = query_params(request).get("kind") or "reported"
    return json_response(forum_moderation.queue(kind, cursor, size), headers=NO_STORE)


@mods.get(
    "/api/v1/forum/moderation/log",
    response=ForumModLog,
    query={
        "month": q("YYYY-MM (default this month)", pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$"),
        "limit": limit(1, 100, 50),
        "cursor": CURSOR,
    },
)
def mod_log() -> Response:
    """Moderation actions of a month, newest first"""
    request = bp.current_request
    cursor, size = (
        _page(request)
        if "limit" not in query_params(request)
        else (query_params(request).get("cursor"), query_int(request, "limit", 50, 1, 100))
    )
    return json_response(
        forum_moderation.log(query_params(request).get("month"), cursor, size), headers=NO_STORE
    )


def _post_action(action: str) -> Callable[..., Response]:
    def view(
        topic_id: str, post_id: str, principal: Principal, body: ForumReasonIn | ForumNoteIn
    ) -> Response:
        if action == "dismiss":
            return json_response(forum_moderation.dismiss(principal, topic_id, post_id, body.reason))
        return json_response(forum_moderation.set_status(principal, topic_id, post_id, action, body.reason))

    view.__name__ = f"mod_post_{action}"
    return view


for _action in ("hide", "restore", "approve", "dismiss"):
    mods.post(
        f"/api/v1/forum/moderation/topics/{{topic_id}}/posts/{{post_id}}/{_action}",
        summary=f"{_action.capitalize()} a post"
        + (", with a reason the author sees" if _action in ("hide", "restore") else " (reason optional)"),
        body=ForumReasonIn if _action in ("hide", "restore") else ForumNoteIn,
        response=ForumModEntry,
        audit="forum-moderation",
    )(_post_action(_action))


def _topic_action(action: str, model: type[ForumReasonIn]) -> Callable[..., Response]:
    def view(topic_id: str, principal: Principal, body: Any) -> Response:
        return json_response(
            forum_moderation.topic_action(
                principal,
                topic_id,
                action,
                body.reason,
                getattr(body, "category", None),
                getattr(body, "into", None),
            )
        )

    view.__name__ = f"mod_topic_{action}"
    return view


_TOPIC_ACTIONS: tuple[tuple[str, type[ForumReasonIn]], ...] = (
    ("lock", ForumReasonIn),
    ("unlock", ForumReasonIn),
    ("move", ForumMoveIn),
    ("merge", ForumMergeIn),
)
for _action, _model in _TOPIC_ACTIONS:
    mods.post(
        f"/api/v1/forum/moderation/topics/{{topic_id}}/{_action}",
        summary=f"{_action.capitalize()} a topic, with a reason the author sees",
        body=_model,
        response=ForumModEntry,
        audit="forum-moderation",
    )(_topic_action(_action, _model))


@mods.get("/api/v1/forum/moderation/accounts/{account}", response=ForumAccountOut)
def mod_account(account: str) -> Response:
    """A forum account's state (status, suspension, warnings, posts) before acting on it"""
    return json_response(forum_moderation.account_state(account), headers=NO_STORE)


def _account_action(action: str, model: type[ForumReasonIn]) -> Callable[..., Response]:
    def view(account: str, principal: Principal, body: Any) -> Response:
        return json_response(
            forum_moderation.account_action(
                principal, account, action, body.reason, getattr(body, "days", None)
            )
        )

    view.__name__ = f"mod_account_{action}"
    return view


_ACCOUNT_ACTIONS: tuple[tuple[str, type[ForumReasonIn]], ...] = (
    ("warn", ForumReasonIn),
    ("suspend", ForumSuspendIn),
    ("ban", ForumReasonIn),
    ("unban", ForumReasonIn),
)
for _action, _model in _ACCOUNT_ACTIONS:
    mods.post(
        f"/api/v1/forum/moderation/accounts/{{account}}/{_action}",
        summary=f"{_action.capitalize()} a forum account, with a reason its holder sees",
        body=_model,
        response=ForumAccountOut,
        audit="forum-moderation",
    )(_account_action(_action, _model))


# ---- administration and figures --------------------------------------------------------------------


@mods.get("/api/v1/admin/forum/rules", response=ForumRulesOut)
def get_rules() -> Response:
    """The forum's word list, link rules, holds and rate"""
    return json_response(forum.get_rules(), headers=NO_STORE)


@mods.put(
    "/api/v1/admin/forum/rules",
    body=ForumRulesIn,
    response=ForumRulesOut,
    audit="forum-rules",
    before=lambda: forum.get_rules().model_dump(),
)
def put_rules(body: ForumRulesIn) -> Response:
    """Set the forum's word list, link rules, holds and rate"""
    return json_response(forum.put_rules(body), headers=NO_STORE)


@mod_admins.put(
    "/api/v1/admin/forum/categories/{code}",
    body=ForumCategoryIn,
    response=ForumCategoryOut,
    audit="forum-category",
)
def put_category(code: str, body: ForumCategoryIn) -> Response:
    """Create or change a forum category"""
    request = bp.current_request
    if body.code != code:
        from ventanilla.errors import FieldError, ValidationFailed

        raise ValidationFailed("validation_failed", errors=[FieldError("code", "forum_code_mismatch")])
    return json_response(forum.put_category(body, lang_of(request)), headers=NO_STORE)


@mod_leads.get("/api/v1/stats/forum", response=ForumStats, query={"days": limit(1, 90, 30)})
def stats() -> Response:
    """Forum figures of the last days (aggregates only)"""
    request = bp.current_request
    return json_response(forum_stats.figures(query_int(request, "days", 30, 1, 90)))
