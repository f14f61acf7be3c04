"""A5: a resolved request's public reply becomes a help article draft.

Apart from the article editor (``help_content``) because it reads a ticket: the editor must not
depend on the ticket service, which depends on help for the articles a citizen saw.
"""

from __future__ import annotations

from ventanilla.auth import Principal
from ventanilla.errors import Conflict, NotFound
from ventanilla.help.models import AdminArticle, DraftFromReplyIn, ForumDraftFromAnswerIn
from ventanilla.help.privacy import scrub_personal
from ventanilla.models.common import utcnow
from ventanilla.rules.state_machine import Status as TicketStatus
from ventanilla.services import tickets
from ventanilla.services.help_content import (
    DEFAULT_POSITION,
    admin_view,
    new_revision,
    slug_of,
    validated_article,
)
from ventanilla.storage import help_articles as store
from ventanilla.storage.help_articles import StoredArticle


def draft_from_reply(principal: Principal, number: str, body: DraftFromReplyIn) -> AdminArticle:
    """A public reply or resolution text, names, greetings and contacts removed, as a draft article."""
    view = tickets.staff_view(principal, number)  # checks the role and the team
    t = view.ticket
    if t.status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        raise Conflict("ticket_not_resolved")
    # A public reply, or the text staff wrote with a status change (the resolution explained).
    reply = next(
        (
            e
            for e in view.history
            if e.event_id == body.event_id
            and e.action in ("message", "status_changed")
            and e.public
            and e.actor.kind == "staff"
        ),
        None,
    )
    if reply is None or not reply.body:
        raise NotFound("reply_not_found")
    names = {t.requester.name, t.assignee_name, principal.name}
    for event in view.history:
        names |= {event.actor.name if event.actor.kind == "staff" else None, event.data.get("assignee_name")}
    text = scrub_personal(reply.body, names, [t.number], t.requester.language)
    first = " ".join(text.split())
    summary = first if len(first) <= 300 else first[:297].rsplit(" ", 1)[0] + "…"
    now = utcnow()
    article = validated_article(
        {
            "slug": body.slug or slug_of(body.title),
            "lang": t.requester.language,
            "title": body.title,
            "summary": summary,
            "body_md": text,
            "section_path": body.section_path,
            "section_titles": body.section_titles,
            "stage": body.stage,
            "tags": body.tags,
            "request_types": [f"{t.type_code}/{t.subtype_code}"],
            "status": "draft",
            "updated_at": now,
            "updated_by": principal.username,
        }
    )
    stored = StoredArticle(article, 1, DEFAULT_POSITION, now, principal.username)
    rev = new_revision(1, now, principal.username, "drafted", None, article, f"Desde la solicitud {t.number}")
    store.save(stored, None, rev)
    return admin_view(stored)


def draft_from_forum_answer(principal: Principal, tid: str, body: ForumDraftFromAnswerIn) -> AdminArticle:
    """A forum topic's accepted answer, names and contacts removed, as a draft article (issue 15):
    the question (the topic's first post) as context, then the answer."""
    from ventanilla.storage import forum as forum_store

    topic = forum_store.get_post(tid, "topic", consistent=True)
    if topic is None or topic.get("status") != "published":
        raise NotFound("forum_not_found")
    rid = topic.get("accepted_reply_id")
    reply = forum_store.get_post(tid, str(rid), consistent=True) if rid else None
    if reply is None or reply.get("status") != "published":
        raise Conflict("forum_no_accepted_answer")
    names = {topic["author"].get("name"), reply["author"].get("name"), principal.name}
    answer = scrub_personal(str(reply["body"]), names, [], "es")
    question = scrub_personal(str(topic["body"]), names, [], "es")
    first = " ".join(answer.split())
    summary = first if len(first) <= 300 else first[:297].rsplit(" ", 1)[0] + "…"
    title = body.title or str(topic["title"])
    now = utcnow()
    article = validated_article(
        {
            "slug": body.slug or slug_of(title),
            "lang": "es",
            "title": title,
            "summary": summary,
            "body_md": f"{answer}\n\n---\n\n*Pregunta original en el foro:*\n\n> "
            + "\n> ".join(question.splitlines()),
            "section_path": body.section_path,
            "section_titles": body.section_titles,
            "stage": body.stage,
            "tags": body.tags or list(topic.get("tags") or []),
            "request_types": [topic["request_type"]] if topic.get("request_type") else [],
            "status": "draft",
            "updated_at": now,
            "updated_by": principal.username,
        }
    )
    stored = StoredArticle(article, 1, DEFAULT_POSITION, now, principal.username)
    note = f"Desde el foro: tema {tid}, respuesta aceptada {rid}"
    rev = new_revision(1, now, principal.username, "drafted", None, article, note)
    store.save(stored, None, rev)
    return admin_view(stored)
