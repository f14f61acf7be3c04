"""The community forum (issue 15) against the moto server provisioned from template.yaml: public
reads, citizen and staff writes, what each role may and may not do, moderation with reasons the
author sees, the safety rules (terms, holds, masking, words, links, rate) and O(page) listings."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Aws, post
from tests.integration.help_support import problem
from tests.integration.test_accounts import bearer, new_email, sign_up

MOD = "mario.moderador"


def put(api: Any, path: str, body: Any, headers: dict[str, str]) -> Any:
    return api.put(path, body=json.dumps(body), headers={"Content-Type": "application/json", **headers})


def delete(api: Any, path: str, headers: dict[str, str]) -> Any:
    return api.delete(path, headers=headers)


_SEEDED: list[bool] = []


@pytest.fixture(scope="module")
def demo_forum(aws: Aws) -> dict[str, Any]:
    """The demo forum, seeded once per test process: the modules that share this fixture would
    otherwise seed it again, and the demo authors' posting rate (10 an hour) refuses the second."""
    from infra.local.demo_forum import seed_forum
    from infra.local.demo_tickets import _principal

    if not _SEEDED:
        seed_forum({login.username: _principal(login) for login in aws.logins.values()})
        _SEEDED.append(True)
    return {}


def new_citizen(api: Any, aws: Aws, terms: bool = True, veteran: bool = True) -> dict[str, Any]:
    """A signed-up citizen; with ``terms`` the forum's rules accepted, with ``veteran`` past the
    new-account hold (one post already approved)."""
    email = new_email()
    headers = bearer(sign_up(aws, email))
    me = api.get("/api/v1/forum/me", headers=headers).json_body
    if terms:
        assert post(api, "/api/v1/forum/terms", {}, headers).status_code == 201
    if veteran:
        from ventanilla.storage import forum as store

        store.update_account(me["account"]["account"], {}, {"published": 1})
    return {"headers": headers, "account": me["account"]["account"], "email": email}


def topic_body(**over: Any) -> dict[str, Any]:
    return {
        "category": "barrio",
        "title": "Bache en calle Las Acacias",
        "body": "Hay un bache enorme.",
        **over,
    }


def listing(api: Any, category: str = "barrio", **params: str) -> list[str]:
    query = "&".join(f"{k}={v}" for k, v in {"category": category, "limit": "50", **params}.items())
    answer = api.get(f"/api/v1/forum/topics?{query}")
    assert answer.status_code == 200, answer.body
    return [t["id"] for t in answer.json_body["items"]]


def mod(api: Any, aws: Aws, path: str, body: dict[str, Any] | None = None, who: str = MOD) -> Any:
    return post(
        api, f"/api/v1/forum/moderation/{path}", body or {"reason": "Revisado por moderación"}, aws.auth(who)
    )


def test_anyone_reads_categories_pinned_first_and_an_accepted_answer(api: Any, demo_forum: Any) -> None:
    cats = api.get("/api/v1/forum/categories").json_body["items"]
    assert [c["code"] for c in cats][:2] == ["tramites", "barrio"] and cats[0][
        "name"
    ] == "Trámites y certificados"
    assert (
        api.get("/api/v1/forum/categories?lang=en").json_body["items"][0]["name"]
        == "Procedures and certificates"
    )
    page = api.get("/api/v1/forum/topics?category=tramites").json_body["items"]
    assert page[0]["pinned"] and page[0]["author"]["staff_badge"] and page[0]["author"]["kind"] == "staff"
    answered = next(t for t in page if t["title"].startswith("¿Cuánto demora"))
    assert answered["answered"] and answered["replies"] == 3
    topic = api.get(f"/api/v1/forum/topics/{answered['id']}").json_body
    accepted = [r for r in topic["replies_page"] if r["accepted"]]
    assert (
        len(accepted) == 1
        and accepted[0]["author"]["staff_badge"]
        and topic["accepted_reply_id"] == accepted[0]["id"]
    )
    assert "<strong>3 días hábiles</strong>" in accepted[0]["body_html"] and topic["post"]["body"] is None
    tagged = api.get("/api/v1/forum/topics?tag=certificados").json_body["items"]
    assert answered["id"] in [t["id"] for t in tagged]
    assert api.get("/api/v1/forum/topics/t20260101000000000abcdef").status_code == 404
    assert api.get("/api/v1/forum/topics").status_code == 422


def test_citizen_needs_the_terms_and_a_new_accounts_first_post_waits(
    api: Any, aws: Aws, demo_forum: Any
) -> None:
    citizen = new_citizen(api, aws, terms=False, veteran=False)
    refused = post(api, "/api/v1/forum/topics", topic_body(), citizen["headers"])
    assert refused.status_code == 403 and refused.json_body["code"] == "forum_terms_required"
    assert post(api, "/api/v1/forum/terms", {}, citizen["headers"]).status_code == 201
    consents = api.get("/api/v1/me", headers=citizen["headers"]).json_body["consents"]
    assert any(c["purpose"] == "forum" and c["given"] for c in consents)
    first = post(
        api, "/api/v1/forum/topics", topic_body(title="Mi primer tema en el foro"), citizen["headers"]
    )
    assert (
        first.status_code == 201
        and first.json_body["status"] == "held"
        and "revisión" in first.json_body["notice"]
    )
    tid = first.json_body["topic_id"]
    assert tid not in listing(api)
    assert api.get(f"/api/v1/forum/topics/{tid}").status_code == 404  # the public does not see it
    assert api.get(f"/api/v1/forum/topics/{tid}", headers=citizen["headers"]).json_body["status"] == "held"
    held = api.get("/api/v1/forum/moderation/queue?kind=held", headers=aws.auth(MOD)).json_body["items"]
    assert (
        tid in [h["topic_id"] for h in held]
        and next(h for h in held if h["topic_id"] == tid)["held_because"] == "new_account"
    )
    # approving takes no reason (hiding does: the author reads it)
    path = f"/api/v1/forum/moderation/topics/{tid}/posts/topic"
    assert (
        problem(post(api, f"{path}/approve", {"reason": "ok"}, aws.auth(MOD)), 422)["errors"][0]["field"]
        == "reason"
    )
    assert post(api, f"{path}/approve", {}, aws.auth(MOD)).status_code == 200
    assert tid in listing(api)
    assert problem(post(api, f"{path}/hide", {}, aws.auth(MOD)), 422)["errors"][0]["field"] == "reason"
    assert tid in listing(api)
    second = post(api, "/api/v1/forum/topics", topic_body(title="Mi segundo tema"), citizen["headers"])
    assert second.json_body["status"] == "published"
    notices = api.get("/api/v1/forum/me", headers=citizen["headers"]).json_body["notices"]
    assert notices[0]["action"] == "approve" and notices[0].get("reason") is None
    logged = api.get("/api/v1/forum/moderation/log", headers=aws.auth(MOD)).json_body["items"]
    assert (
        next(e for e in logged if e.get("topic_id") == tid and e["action"] == "approve").get("reason") is None
    )


def test_personal_data_is_masked_before_publishing_with_a_notice(api: Any, aws: Aws, demo_forum: Any) -> None:
    citizen = new_citizen(api, aws)
    text = "Soy 12.345.678-5, llámenme al +56 9 8765 4321 o escriban a rosa.munoz@example.cl. Folio 12.345.678-9."
    written = post(api, "/api/v1/forum/topics", topic_body(body=text), citizen["headers"])
    assert written.status_code == 201, written.body
    assert (
        written.json_body["masked"] == ["email", "phone", "rut"]
        and "datos personales" in written.json_body["notice"]
    )
    shown = api.get(f"/api/v1/forum/topics/{written.json_body['topic_id']}").json_body["post"]["body_html"]
    assert "12.345.678-5" not in shown and "8765" not in shown and "rosa.munoz" not in shown
    assert "[RUT oculto]" in shown and "[teléfono oculto]" in shown and "[correo oculto]" in shown
    assert "12.345.678-9" in shown  # not a valid RUT: left as written
    notices = api.get("/api/v1/forum/me", headers=citizen["headers"]).json_body["notices"]
    assert notices[0]["action"] == "masked"
    preview = post(api, "/api/v1/forum/preview", {"body": "**hola** 12.345.678-5"}, {})
    assert preview.json_body == {"html": "<p><strong>hola</strong> [RUT oculto]</p>\n", "masked": ["rut"]}


def test_word_list_link_rules_and_rate_limit(api: Any, aws: Aws, demo_forum: Any) -> None:
    moderator = aws.auth(MOD)
    before = api.get("/api/v1/admin/forum/rules", headers=moderator).json_body
    rules = {
        **before,
        "words": ["estafador"],
        "allowed_domains": ["gob.cl"],
        "link_policy": "hold",
        "posts_per_hour": 3,
    }
    assert put(api, "/api/v1/admin/forum/rules", rules, moderator).status_code == 200
    try:
        citizen = new_citizen(api, aws)
        bad = post(
            api, "/api/v1/forum/topics", topic_body(body="El vecino es un ESTAFADOR"), citizen["headers"]
        )
        assert bad.status_code == 422 and bad.json_body["errors"][0]["field"] == "body"
        linked = post(
            api,
            "/api/v1/forum/topics",
            topic_body(body="vean https://spam.example.com/x"),
            citizen["headers"],
        )
        assert linked.json_body["status"] == "held"
        official = post(
            api,
            "/api/v1/forum/topics",
            topic_body(body="vean https://www.gob.cl/tramites"),
            citizen["headers"],
        )
        assert official.json_body["status"] == "published"
        post(api, "/api/v1/forum/topics", topic_body(), citizen["headers"])
        fast = post(api, "/api/v1/forum/topics", topic_body(), citizen["headers"])
        assert fast.status_code == 429 and "Retry-After" in fast.headers
        put(api, "/api/v1/admin/forum/rules", {**rules, "link_policy": "block"}, moderator)
        other = new_citizen(api, aws)
        blocked = post(
            api, "/api/v1/forum/topics", topic_body(body="https://spam.example.com"), other["headers"]
        )
        assert blocked.status_code == 422 and "spam.example.com" in blocked.json_body["errors"][0]["message"]
    finally:
        put(api, "/api/v1/admin/forum/rules", before, moderator)
    assert put(api, "/api/v1/admin/forum/rules", before, aws.auth("ana.l1")).status_code == 403


def test_replies_quotes_edits_votes_and_the_accepted_answer(api: Any, aws: Aws, demo_forum: Any) -> None:
    author, other = new_citizen(api, aws), new_citizen(api, aws)
    tid = post(
        api, "/api/v1/forum/topics", topic_body(tags=["Baches", "calles"]), author["headers"]
    ).json_body["topic_id"]
    assert api.get(f"/api/v1/forum/topics/{tid}").json_body["tags"] == ["baches", "calles"]
    r1 = post(
        api, f"/api/v1/forum/topics/{tid}/replies", {"body": "Llamen a la DOM"}, other["headers"]
    ).json_body["post_id"]
    r2 = post(
        api, f"/api/v1/forum/topics/{tid}/replies", {"body": "Sí, eso", "quote_of": r1}, author["headers"]
    )
    assert r2.status_code == 201
    staff = post(
        api, f"/api/v1/forum/topics/{tid}/replies", {"body": "Ingrese un reclamo."}, aws.auth("ana.l1")
    )
    assert staff.status_code == 201
    page = api.get(f"/api/v1/forum/topics/{tid}", headers=author["headers"]).json_body
    assert page["replies_page"][0]["id"] == r1 and page["replies"] == 3
    assert (
        page["replies_page"][1]["quote"]["post_id"] == r1
        and "<blockquote>" in page["replies_page"][1]["body_html"]
    )
    assert page["replies_page"][2]["author"]["staff_badge"] and page["post"]["body"] == "Hay un bache enorme."
    # edits keep the text before
    assert (
        put(
            api,
            f"/api/v1/forum/topics/{tid}/posts/{r1}",
            {"body": "Llamen a la DOM, anexo 2"},
            author["headers"],
        ).status_code
        == 403
    )
    edited = put(
        api, f"/api/v1/forum/topics/{tid}/posts/{r1}", {"body": "Llamen a la DOM, anexo 2"}, other["headers"]
    )
    assert edited.status_code == 200
    history = api.get(f"/api/v1/forum/topics/{tid}/posts/{r1}/history").json_body["items"]
    assert [h["body"] for h in history] == ["Llamen a la DOM"]
    # votes: one per person
    assert (
        put(api, f"/api/v1/forum/topics/{tid}/posts/{r1}/vote", {}, author["headers"]).json_body["score"] == 1
    )
    again = put(api, f"/api/v1/forum/topics/{tid}/posts/{r1}/vote", {}, author["headers"])
    assert again.status_code == 409
    assert (
        put(api, f"/api/v1/forum/topics/{tid}/posts/{r1}/vote", {}, aws.auth("ana.l1")).json_body["score"]
        == 2
    )
    assert (
        delete(api, f"/api/v1/forum/topics/{tid}/posts/{r1}/vote", author["headers"]).json_body["score"] == 1
    )
    # accepted answer: the topic's author or staff, nobody else
    refused = put(api, f"/api/v1/forum/topics/{tid}/accepted", {"post_id": r1}, other["headers"])
    assert refused.status_code == 403
    accepted = put(api, f"/api/v1/forum/topics/{tid}/accepted", {"post_id": r1}, author["headers"])
    assert (
        accepted.status_code == 200
        and accepted.json_body["accepted_reply_id"] == r1
        and accepted.json_body["answered"]
    )
    # pinning and links are staff's
    assert post(api, "/api/v1/forum/topics", topic_body(pinned=True), author["headers"]).status_code == 403
    links = {"help_article": "certificado-de-residencia", "request_type": "reclamo/servicio"}
    assert put(api, f"/api/v1/forum/topics/{tid}/links", links, author["headers"]).status_code == 401
    linked = put(api, f"/api/v1/forum/topics/{tid}/links", links, aws.auth("ana.l1")).json_body
    assert (
        linked["help_article"] == "certificado-de-residencia" and linked["request_type"] == "reclamo/servicio"
    )
    assert (
        put(
            api, f"/api/v1/forum/topics/{tid}/links", {"request_type": "nada"}, aws.auth("ana.l1")
        ).status_code
        == 422
    )


def test_follow_notices_replies_and_unfollow(api: Any, aws: Aws, demo_forum: Any) -> None:
    author, other = new_citizen(api, aws), new_citizen(api, aws)
    tid = post(api, "/api/v1/forum/topics", topic_body(), author["headers"]).json_body["topic_id"]
    assert put(api, f"/api/v1/forum/topics/{tid}/follow", {}, author["headers"]).status_code == 200
    assert api.get(f"/api/v1/forum/topics/{tid}", headers=author["headers"]).json_body["following"]
    post(api, f"/api/v1/forum/topics/{tid}/replies", {"body": "Respuesta"}, other["headers"])
    notices = api.get("/api/v1/forum/me", headers=author["headers"]).json_body["notices"]
    assert notices[0]["action"] == "reply" and notices[0]["topic_id"] == tid
    assert delete(api, f"/api/v1/forum/topics/{tid}/follow", author["headers"]).status_code == 200
    post(api, f"/api/v1/forum/topics/{tid}/replies", {"body": "Otra"}, other["headers"])
    assert len(api.get("/api/v1/forum/me", headers=author["headers"]).json_body["notices"]) == len(notices)


def test_reports_queue_hide_restore_with_reasons_the_author_sees(api: Any, aws: Aws, demo_forum: Any) -> None:
    author = new_citizen(api, aws)
    tid = post(api, "/api/v1/forum/topics", topic_body(tags=["ruido"]), author["headers"]).json_body[
        "topic_id"
    ]
    calm = post(
        api, "/api/v1/forum/topics", topic_body(title="Otro tema tranquilo"), author["headers"]
    ).json_body["topic_id"]
    reporters = [new_citizen(api, aws) for _ in range(3)]
    for who in reporters:
        answer = post(
            api, f"/api/v1/forum/topics/{tid}/posts/topic/report", {"reason": "offensive"}, who["headers"]
        )
        assert answer.status_code == 202
    post(api, f"/api/v1/forum/topics/{calm}/posts/topic/report", {"reason": "spam"}, reporters[0]["headers"])
    twice = post(
        api, f"/api/v1/forum/topics/{tid}/posts/topic/report", {"reason": "spam"}, reporters[0]["headers"]
    )
    assert twice.status_code == 409
    own = post(api, f"/api/v1/forum/topics/{tid}/posts/topic/report", {"reason": "spam"}, author["headers"])
    assert own.status_code == 409 and own.json_body["code"] == "forum_report_own"
    own = put(api, f"/api/v1/forum/topics/{tid}/posts/topic/vote", {}, author["headers"])
    assert own.status_code == 409 and own.json_body["code"] == "forum_vote_own"
    bad = post(
        api, f"/api/v1/forum/topics/{tid}/posts/topic/report", {"reason": "feo"}, reporters[1]["headers"]
    )
    assert bad.status_code == 422 and bad.json_body["errors"][0]["field"] == "reason"
    queue = api.get("/api/v1/forum/moderation/queue", headers=aws.auth(MOD)).json_body["items"]
    order = [q["topic_id"] for q in queue]
    assert order.index(tid) < order.index(calm)
    assert next(q for q in queue if q["topic_id"] == tid)["reasons"] == {"offensive": 3}
    hidden = mod(api, aws, f"topics/{tid}/posts/topic/hide", {"reason": "Lenguaje ofensivo"})
    assert hidden.status_code == 200
    assert tid not in listing(api) and tid not in listing(api, tag="ruido", category="")
    assert api.get(f"/api/v1/forum/topics/{tid}").status_code == 404
    own = api.get(f"/api/v1/forum/topics/{tid}", headers=author["headers"]).json_body
    assert own["post"]["moderation_reason"] == "Lenguaje ofensivo"
    notices = api.get("/api/v1/forum/me", headers=author["headers"]).json_body["notices"]
    assert notices[0]["action"] == "hide" and notices[0]["reason"] == "Lenguaje ofensivo"
    assert tid not in [
        q["topic_id"]
        for q in api.get("/api/v1/forum/moderation/queue", headers=aws.auth(MOD)).json_body["items"]
    ]
    assert mod(api, aws, f"topics/{tid}/posts/topic/hide").status_code == 409
    assert (
        mod(api, aws, f"topics/{tid}/posts/topic/restore", {"reason": "Revisado: se mantiene"}).status_code
        == 200
    )
    assert tid in listing(api) and tid in listing(api, tag="ruido", category="")
    assert mod(api, aws, f"topics/{calm}/posts/topic/dismiss").status_code == 200
    log = api.get("/api/v1/forum/moderation/log", headers=aws.auth(MOD)).json_body["items"]
    assert [e["action"] for e in log[:3]] == ["dismiss", "restore", "hide"] and log[0]["moderator"] == MOD
    # a hidden reply leaves the topic page and its count
    reply = post(
        api, f"/api/v1/forum/topics/{calm}/replies", {"body": "spam spam"}, reporters[1]["headers"]
    ).json_body
    assert (
        mod(api, aws, f"topics/{calm}/posts/{reply['post_id']}/hide", {"reason": "Publicidad"}).status_code
        == 200
    )
    page = api.get(f"/api/v1/forum/topics/{calm}").json_body
    assert page["replies"] == 0 and page["replies_page"] == []


def test_lock_move_merge(api: Any, aws: Aws, demo_forum: Any) -> None:
    author = new_citizen(api, aws)
    tid = post(api, "/api/v1/forum/topics", topic_body(), author["headers"]).json_body["topic_id"]
    dup = post(
        api, "/api/v1/forum/topics", topic_body(title="El mismo bache otra vez"), author["headers"]
    ).json_body["topic_id"]
    assert mod(api, aws, f"topics/{tid}/lock").status_code == 200
    locked = post(api, f"/api/v1/forum/topics/{tid}/replies", {"body": "hola"}, author["headers"])
    assert locked.status_code == 409 and locked.json_body["code"] == "forum_locked"
    assert mod(api, aws, f"topics/{tid}/unlock").status_code == 200
    assert (
        post(api, f"/api/v1/forum/topics/{tid}/replies", {"body": "hola"}, author["headers"]).status_code
        == 201
    )
    assert (
        mod(api, aws, f"topics/{tid}/move", {"reason": "Es de tránsito", "category": "transito"}).status_code
        == 200
    )
    assert tid not in listing(api) and tid in listing(api, "transito")
    assert mod(api, aws, f"topics/{tid}/move", {"reason": "x" * 3, "category": "nada"}).status_code == 422
    assert mod(api, aws, f"topics/{dup}/merge", {"reason": "Duplicado", "into": tid}).status_code == 200
    assert dup not in listing(api)
    assert api.get(f"/api/v1/forum/topics/{dup}").json_body["merged_into"] == tid
    assert mod(api, aws, f"topics/{tid}/merge", {"reason": "Duplicado", "into": tid}).status_code == 422


WRITES = [
    ("POST", "/api/v1/forum/topics", topic_body()),
    ("POST", "/api/v1/forum/topics/{tid}/replies", {"body": "hola"}),
    ("PUT", "/api/v1/forum/topics/{tid}/posts/topic", {"body": "editado"}),
    ("PUT", "/api/v1/forum/topics/{tid}/posts/topic/vote", {}),
    ("DELETE", "/api/v1/forum/topics/{tid}/posts/topic/vote", None),
    ("POST", "/api/v1/forum/topics/{tid}/posts/topic/report", {"reason": "spam"}),
    ("PUT", "/api/v1/forum/topics/{tid}/accepted", {"post_id": None}),
]


def _call(api: Any, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    if method == "POST":
        return post(api, path, body, headers)
    if method == "PUT":
        return put(api, path, body, headers)
    return delete(api, path, headers)


def test_a_banned_account_gets_403_on_every_write_and_a_suspended_one_until_it_ends(
    api: Any, aws: Aws, demo_forum: Any
) -> None:
    from chalicelib.http import route_docs

    writes = {
        (d.method, d.path) for d in route_docs() if d.path.startswith("/api/v1/forum/") and d.method != "GET"
    }
    citizen_writes = {
        w
        for w in writes
        if "/moderation/" not in w[1]
        and "/unsubscribe/" not in w[1]  # a signed link, no account needed
        and not w[1].endswith(("/links", "/preview", "/terms", "/follow", "/help-draft"))
    }
    assert {
        (
            m,
            p.replace("{tid}", "{topic_id}")
            .replace("/topic/", "/{post_id}/")
            .replace("/posts/topic", "/posts/{post_id}"),
        )
        for m, p, _ in WRITES
    } == citizen_writes
    author = new_citizen(api, aws)
    tid = post(api, "/api/v1/forum/topics", topic_body(), author["headers"]).json_body["topic_id"]
    banned = new_citizen(api, aws)
    answer = mod(api, aws, f"accounts/{banned['account']}/ban", {"reason": "Spam reiterado"})
    assert answer.status_code == 200 and answer.json_body["status"] == "banned"
    for method, path, body in WRITES:
        refused = _call(api, method, path.format(tid=tid), body, banned["headers"])
        assert refused.status_code == 403 and refused.json_body["code"] == "forum_banned", (method, path)
    me = api.get("/api/v1/forum/me", headers=banned["headers"]).json_body
    assert me["account"]["status"] == "banned" and me["notices"][0]["reason"] == "Spam reiterado"
    assert (
        mod(api, aws, f"accounts/{banned['account']}/unban", {"reason": "Apelación aceptada"}).status_code
        == 200
    )
    assert (
        post(api, f"/api/v1/forum/topics/{tid}/replies", {"body": "ya puedo"}, banned["headers"]).status_code
        == 201
    )
    suspended = new_citizen(api, aws)
    assert (
        mod(
            api, aws, f"accounts/{suspended['account']}/suspend", {"reason": "Insultos", "days": 3}
        ).json_body["status"]
        == "suspended"
    )
    refused = post(api, f"/api/v1/forum/topics/{tid}/replies", {"body": "hola"}, suspended["headers"])
    assert refused.status_code == 403 and refused.json_body["code"] == "forum_suspended"
    from datetime import timedelta

    from ventanilla import clock

    clock.advance(timedelta(days=4))
    assert (
        post(api, f"/api/v1/forum/topics/{tid}/replies", {"body": "volví"}, suspended["headers"]).status_code
        == 201
    )
    assert (
        mod(api, aws, f"accounts/{suspended['account']}/warn", {"reason": "Cuide el tono"}).json_body[
            "warnings"
        ]
        == 1
    )
    assert (
        mod(api, aws, f"accounts/{suspended['account']}/suspend", {"reason": "x", "days": 0}).status_code
        == 422
    )


def test_roles_allowed_and_refused(api: Any, aws: Aws, demo_forum: Any) -> None:
    """Anonymous: reads only; citizens: no moderation (401: wrong pool); staff without the
    moderator group: 403; moderators and admins: yes; categories: admins only."""
    from chalicelib.http import route_docs

    author = new_citizen(api, aws)
    tid = post(api, "/api/v1/forum/topics", topic_body(), author["headers"]).json_body["topic_id"]
    for method, path, body in WRITES:
        answer = _call(api, method, path.format(tid=tid), body, {})
        assert answer.status_code == 401, (method, path)
    moderation = [d for d in route_docs() if "/forum/moderation/" in d.path or "/admin/forum/" in d.path]
    assert len(moderation) >= 16
    for doc in moderation:
        path = doc.path.format(topic_id=tid, post_id="topic", account=author["account"], code="barrio")
        for headers, status in (
            (author["headers"], 401),
            (aws.auth("ana.l1"), 403),
            (aws.auth("diana.editora"), 403),
        ):
            answer = (
                _call(api, doc.method, path, {"reason": "abc"}, headers)
                if doc.method != "GET"
                else api.get(path, headers=headers)
            )
            assert answer.status_code == status, (
                doc.method,
                doc.path,
                headers is author["headers"],
                answer.body,
            )
    assert api.get("/api/v1/forum/moderation/queue", headers=aws.auth("elena.admin")).status_code == 200
    category = {"code": "deporte", "name_es": "Deporte", "name_en": "Sports"}
    assert put(api, "/api/v1/admin/forum/categories/deporte", category, aws.auth(MOD)).status_code == 403
    assert (
        put(api, "/api/v1/admin/forum/categories/deporte", category, aws.auth("elena.admin")).status_code
        == 200
    )
    assert (
        put(api, "/api/v1/admin/forum/categories/otro", category, aws.auth("elena.admin")).status_code == 422
    )
    stats = api.get("/api/v1/stats/forum?days=30", headers=aws.auth("carla.supervisora"))
    assert (
        stats.status_code == 200
        and stats.json_body["topics"] >= 12
        and stats.json_body["answered_by_staff"] >= 1
    )
    assert stats.json_body["answered_by_community"] >= 1 and stats.json_body["moderation_actions"] >= 0
    assert api.get("/api/v1/stats/forum", headers=aws.auth("ana.l1")).status_code == 403


def _reads(call: Any) -> int:
    """Items DynamoDB read for one call: GetItem, Query (ScannedCount) and BatchGetItem answers."""
    import boto3

    counted = {"items": 0}

    def hook(http_response: Any, parsed: Any, model: Any, **_: Any) -> None:
        name = model.name
        if name == "GetItem" and "Item" in parsed:
            counted["items"] += 1
        elif name == "Query":
            counted["items"] += int(parsed.get("ScannedCount", 0))
        elif name == "BatchGetItem":
            counted["items"] += sum(len(v) for v in parsed.get("Responses", {}).values())

    from ventanilla.storage.table import table

    events = table().meta.client.meta.events
    events.register("after-call.dynamodb", hook)
    try:
        answer = call()
    finally:
        events.unregister("after-call.dynamodb", hook)
    del boto3
    assert answer.status_code == 200
    return counted["items"]


def test_category_and_topic_pages_read_the_same_items_at_any_size(
    api: Any, aws: Aws, demo_forum: Any
) -> None:
    from ventanilla import clock
    from ventanilla.models.common import iso
    from ventanilla.storage import forum as store

    def grow(category: str, count: int) -> str:
        now = clock.now()
        first = ""
        for i in range(count):
            tid = store.new_id("t", now)
            at = iso(now)
            store.put_topic(
                {
                    "id": tid,
                    "category": category,
                    "title": f"Tema {i}",
                    "body": "x",
                    "body_html": "<p>x</p>",
                    "tags": [],
                    "author": {"id": "acct-bench", "name": "Banco", "kind": "citizen", "staff_badge": False},
                    "status": "published",
                    "pinned": False,
                    "locked": False,
                    "replies": 0,
                    "score": 0,
                    "created_at": at,
                    "last_activity_at": at,
                    "version": 1,
                    "edits": 0,
                    "open_reports": 0,
                }
            )
            first = first or tid
        return first

    small, large = "bench-small", "bench-large"
    for code in (small, large):
        store.put_category({"code": code, "name_es": code, "name_en": code, "position": 999})
    t_small = grow(small, 30)
    t_large = grow(large, 300)
    for tid in (t_small, t_large):
        for _ in range(25):
            store.put_reply(
                {
                    "id": "r",
                    "post_id": store.new_id("r", clock.now()),
                    "topic_id": tid,
                    "body": "y",
                    "body_html": "<p>y</p>",
                    "author": {"id": "acct-bench", "name": "Banco", "kind": "citizen"},
                    "status": "published",
                    "created_at": iso(clock.now()),
                    "score": 0,
                    "version": 1,
                    "edits": 0,
                    "open_reports": 0,
                },
                None,
            )
    cat_small = _reads(lambda: api.get(f"/api/v1/forum/topics?category={small}&limit=20"))
    cat_large = _reads(lambda: api.get(f"/api/v1/forum/topics?category={large}&limit=20"))
    page_small = _reads(lambda: api.get(f"/api/v1/forum/topics/{t_small}?limit=20"))
    page_large = _reads(lambda: api.get(f"/api/v1/forum/topics/{t_large}?limit=20"))
    assert cat_small == cat_large == 20
    assert page_small == page_large == 21


def _index_topic(aws: Aws, tid: str) -> None:
    """The topic's stream record -> the bus event -> one indexer delivery, as Lambda makes them."""
    import uuid as _uuid

    from infra.local.functions import LambdaContext
    from ventanilla.services import dispatch
    from ventanilla.storage import forum as store

    topic = store.get_post(tid, "topic", consistent=True)
    events: list[Any] = []
    from ventanilla.integrations import eventbus

    original = eventbus.publish
    eventbus.publish = lambda batch: events.extend(batch)  # type: ignore[assignment]
    try:
        dispatch.dispatch("MODIFY", {"PK": f"FTOPIC#{tid}", "SK": "TOPIC"}, None, topic)
    finally:
        eventbus.publish = original  # type: ignore[assignment]
    assert [e.detail_type for e in events] == ["ForumTopicChanged"]
    envelope = {
        "source": events[0].source,
        "detail-type": events[0].detail_type,
        "detail": events[0].detail,
    }
    record = {
        "messageId": str(_uuid.uuid4()),
        "body": json.dumps(envelope),
        "receiptHandle": "x",
        "attributes": {},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
        "awsRegion": "us-east-1",
    }
    answer = aws.stack.functions["IndexerFunction"].load()(
        {"Records": [record]}, LambdaContext("IndexerFunction")
    )
    assert answer == {"batchItemFailures": []}


def test_search_groups_help_and_community_and_a_hidden_topic_leaves_with_one_delivery(
    api: Any, aws: Aws, demo_forum: Any
) -> None:
    """The stream record of the topic's change -> the bus event -> the indexer's queue message:
    one delivery each, as Lambda would make them."""
    import uuid as _uuid

    from ventanilla.services import forum_search

    def deliver(tid: str) -> None:
        _index_topic(aws, tid)

    author = new_citizen(api, aws)
    word = f"zumbido{_uuid.uuid4().hex[:5]}"
    tid = post(
        api,
        "/api/v1/forum/topics",
        topic_body(title=f"Ruido de {word} en la plaza", body=f"Un {word} molesto de noche."),
        author["headers"],
    ).json_body["topic_id"]
    deliver(tid)
    found = api.get(f"/api/v1/forum/search?q={word}").json_body
    assert [g["title"] for g in found["groups"]] == ["Ayuda oficial", "Comunidad"]
    assert [i["id"] for i in found["groups"][1]["items"]] == [tid]
    assert (
        mod(api, aws, f"topics/{tid}/posts/topic/hide", {"reason": "Prueba de búsqueda"}).status_code == 200
    )
    assert (
        api.get(f"/api/v1/forum/search?q={word}").json_body["groups"][1]["items"] == []
    )  # the table says hidden
    deliver(tid)
    assert all(
        h.slug != tid for h in forum_search.engine().search(word, lang="es").hits
    )  # out of the index too
    assert api.get("/api/v1/forum/search?q=").status_code == 422
    assert (
        api.get("/api/v1/forum/search?q=patente&lang=en").json_body["groups"][0]["title"] == "Official help"
    )


def _notice_keys(account: str) -> list[str]:
    from boto3.dynamodb.conditions import Key

    from ventanilla.storage.table import table

    answer = table().query(
        KeyConditionExpression=Key("PK").eq(f"FUSER#{account}") & Key("SK").begins_with("MOD#"),
        ScanIndexForward=False,
    )
    return [str(i["SK"]) for i in answer["Items"]]


def _through_the_notifier(aws: Aws, account: str, sk: str, event_name: str = "INSERT") -> list[Any]:
    """The notice item's stream record -> the dispatcher's bus event -> one notifier delivery."""
    import uuid as _uuid

    from infra.local.functions import LambdaContext
    from ventanilla.integrations import eventbus
    from ventanilla.services import dispatch
    from ventanilla.storage import forum as store

    item = {"PK": f"FUSER#{account}", "SK": sk, **(store.get_notice(account, sk) or {})}
    events: list[Any] = []
    original = eventbus.publish
    eventbus.publish = lambda batch: events.extend(batch)  # type: ignore[assignment]
    try:
        dispatch.dispatch(event_name, {"PK": item["PK"], "SK": sk}, None, item)
    finally:
        eventbus.publish = original  # type: ignore[assignment]
    for event in events:
        envelope = {"source": event.source, "detail-type": event.detail_type, "detail": event.detail}
        record = {
            "messageId": str(_uuid.uuid4()),
            "body": json.dumps(envelope),
            "receiptHandle": "x",
            "attributes": {"ApproximateReceiveCount": "1"},
            "messageAttributes": {},
            "md5OfBody": "",
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
            "awsRegion": "us-east-1",
        }
        answer = aws.stack.functions["NotifierFunction"].load()(
            {"Records": [record]}, LambdaContext("NotifierFunction")
        )
        assert answer == {"batchItemFailures": []}
    return events


def test_followers_and_authors_get_forum_notices_by_email_with_a_one_click_unsubscribe(
    api: Any, aws: Aws, demo_forum: Any
) -> None:
    """Reply and moderation notices go out through the notifier by email, in the citizen's
    language, once per notice, with RFC 8058 headers; the topic's signed link unfollows it."""
    from infra.local import outbox

    follower, author, other = new_citizen(api, aws), new_citizen(api, aws), new_citizen(api, aws)
    for who in (follower, author, other):
        assert api.get("/api/v1/me", headers=who["headers"]).status_code == 200
    tid = post(
        api, "/api/v1/forum/topics", topic_body(title="Luminaria apagada en la plaza"), author["headers"]
    )
    tid = tid.json_body["topic_id"]
    assert put(api, f"/api/v1/forum/topics/{tid}/follow", {}, follower["headers"]).status_code == 200
    assert (
        post(
            api, f"/api/v1/forum/topics/{tid}/replies", {"body": "A mí también"}, other["headers"]
        ).status_code
        == 201
    )

    [sk] = _notice_keys(follower["account"])
    assert [e.detail_type for e in _through_the_notifier(aws, follower["account"], sk)] == [
        "ForumNoticeCreated"
    ]
    [mail] = [m for m in outbox.entries(follower["email"]) if "foro" in m["text"]]
    assert mail["subject"] == "Nueva respuesta en «Luminaria apagada en la plaza»"
    assert "Dejar de recibir avisos de este tema" in mail["text"] and f"#/foro/tema/{tid}" in mail["text"]
    assert mail["unsubscribe"].startswith("<") and "/api/v1/forum/unsubscribe/" in mail["unsubscribe"]
    assert follower["email"] not in mail["unsubscribe"]
    # A redelivered event sends nothing twice.
    _through_the_notifier(aws, follower["account"], sk)
    assert len([m for m in outbox.entries(follower["email"]) if "foro" in m["text"]]) == 1

    # The one-click link: a GET only says what stops; the POST (what mail clients send) unfollows.
    token = mail["unsubscribe"].strip("<>").rsplit("/", 1)[-1]
    look = api.get(f"/api/v1/forum/unsubscribe/{token}")
    assert look.status_code == 200 and look.json_body == {
        "topic_id": tid,
        "title": "Luminaria apagada en la plaza",
        "following": True,
    }
    assert api.get(f"/api/v1/forum/topics/{tid}", headers=follower["headers"]).json_body["following"]
    done = api.post(
        f"/api/v1/forum/unsubscribe/{token}",
        body="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert done.status_code == 200 and done.json_body["following"] is False
    assert not api.get(f"/api/v1/forum/topics/{tid}", headers=follower["headers"]).json_body["following"]
    for bad in (token[:-2] + "AA", token.replace(follower["account"], other["account"]), "x", "t" + "0" * 23):
        assert api.get(f"/api/v1/forum/unsubscribe/{bad}").status_code == 404
        assert api.post(f"/api/v1/forum/unsubscribe/{bad}", body="").status_code == 404

    # Moderation notices reach the author, in English when that is their language, with the
    # notifier's general email opt-out; a citizen who chose no email gets the notice in the portal only.
    me = api.get("/api/v1/me", headers=author["headers"]).json_body
    assert (
        put(api, "/api/v1/me", {"name": me["name"], "language": "en"}, author["headers"]).status_code == 200
    )
    assert (
        mod(api, aws, f"topics/{tid}/posts/topic/hide", {"reason": "Datos de un vecino"}).status_code == 200
    )
    sk = _notice_keys(author["account"])[0]
    _through_the_notifier(aws, author["account"], sk)
    [mail] = [m for m in outbox.entries(author["email"]) if "forum" in m["text"]]
    assert mail["subject"] == "Forum moderation: «Luminaria apagada en la plaza»"
    assert "Reason: Datos de un vecino" in mail["text"] and "post hidden" in mail["text"]
    assert "/api/v1/notifications/opt-out/" in mail["unsubscribe"]

    assert (
        put(api, "/api/v1/me", {"name": me["name"], "notice_channels": []}, other["headers"]).status_code
        == 200
    )
    assert mod(api, aws, f"topics/{tid}/posts/topic/restore", {"reason": "Revisado"}).status_code == 200
    page = api.get(f"/api/v1/forum/topics/{tid}").json_body["replies_page"]
    mine = next(p for p in page if p["author"]["id"] == other["account"])
    assert (
        mod(api, aws, f"topics/{tid}/posts/{mine['id']}/hide", {"reason": "Fuera de tema"}).status_code == 200
    )
    _through_the_notifier(aws, other["account"], _notice_keys(other["account"])[0])
    assert [m for m in outbox.entries(other["email"]) if "foro" in m["text"]] == []
    assert api.get("/api/v1/forum/me", headers=other["headers"]).json_body["notices"][0]["action"] == "hide"
    # And the follower who unsubscribed gets no more reply notices.
    assert (
        mod(api, aws, f"topics/{tid}/posts/{mine['id']}/restore", {"reason": "Revisado"}).status_code == 200
    )
    before = len(outbox.entries(follower["email"]))
    post(api, f"/api/v1/forum/topics/{tid}/replies", {"body": "Otra respuesta"}, author["headers"])
    for sk in _notice_keys(follower["account"])[:1]:
        _through_the_notifier(aws, follower["account"], sk)
    assert len(outbox.entries(follower["email"])) == before


def test_a_follower_who_chose_push_gets_the_reply_in_their_browser(
    api: Any, aws: Aws, demo_forum: Any
) -> None:
    """Web Push to the account's own browsers (encrypted by pywebpush, decrypted by the local push
    service as a browser would): the subject and the topic's address, nothing about the person; no
    email when email was not chosen; a browser the push service says is gone leaves the account."""
    from infra.local import outbox
    from tests.push_service import PushService
    from ventanilla.storage import notices as notice_store

    follower, other = new_citizen(api, aws), new_citizen(api, aws)
    me = api.get("/api/v1/me", headers=follower["headers"]).json_body
    chosen = put(api, "/api/v1/me", {"name": me["name"], "notice_channels": ["push"]}, follower["headers"])
    assert chosen.status_code == 200, chosen.body
    with PushService() as service:
        phone = service.subscribe()
        device = post(
            api,
            "/api/v1/devices",
            {"platform": "webpush", "subscription": phone.to_json()},
            follower["headers"],
        )
        assert device.status_code == 201, device.body
        tid = post(api, "/api/v1/forum/topics", topic_body(title="Semáforo apagado"), other["headers"])
        tid = tid.json_body["topic_id"]
        assert put(api, f"/api/v1/forum/topics/{tid}/follow", {}, follower["headers"]).status_code == 200
        reply = post(api, f"/api/v1/forum/topics/{tid}/replies", {"body": "Ya avisé"}, other["headers"])
        assert reply.status_code == 201
        [sk] = _notice_keys(follower["account"])
        _through_the_notifier(aws, follower["account"], sk)
        [payload] = service.wait_for(phone)
        assert payload["kind"] == "forum_reply" and payload["body"] == "Nueva respuesta en «Semáforo apagado»"
        assert payload["url"].endswith(f"/#/foro/tema/{tid}") and payload["lang"] == "es"
        assert follower["email"] not in json.dumps(payload) and follower["account"] not in json.dumps(payload)
        assert [m for m in outbox.entries(follower["email"]) if "foro" in m["text"]] == []
        _through_the_notifier(aws, follower["account"], sk)  # redelivered: nothing twice
        assert len(phone.received) == 1
        # The browser revoked the permission: 410, and the device leaves the account.
        phone.gone = True
        post(api, f"/api/v1/forum/topics/{tid}/replies", {"body": "Sigue apagado"}, other["headers"])
        newest = _notice_keys(follower["account"])[0]
        _through_the_notifier(aws, follower["account"], newest)
        owner = notice_store.citizen_owner(follower["account"])
        assert [d for d in notice_store.devices(owner) if d.get("platform") == "webpush"] == []


def test_accepted_answers_in_the_contact_flow_and_as_a_help_draft(
    api: Any, aws: Aws, demo_forum: Any
) -> None:
    """The contact flow's suggestions list accepted forum answers after the official articles
    ("Comunidad"); an editor turns one into a draft article, personal data removed."""
    import uuid as _uuid

    author, helper = new_citizen(api, aws), new_citizen(api, aws)
    word = f"chirrido{_uuid.uuid4().hex[:5]}"
    tid = post(
        api,
        "/api/v1/forum/topics",
        topic_body(
            title=f"Un {word} en el semáforo", body=f"El {word} del semáforo no para. Soy Rosa Muñoz."
        ),
        author["headers"],
    ).json_body["topic_id"]
    answer_text = f"El {word} se arregla avisando a tránsito; me respondieron al +56 9 8765 4321 en dos días."
    rid = post(
        api, f"/api/v1/forum/topics/{tid}/replies", {"body": answer_text}, helper["headers"]
    ).json_body["post_id"]
    _index_topic(aws, tid)
    ask = f"/api/v1/help/suggest?type=cuenta&subtype=acceso-portal&text={word}"
    assert api.get(ask).json_body["community"] == []  # not answered yet
    assert (
        put(api, f"/api/v1/forum/topics/{tid}/accepted", {"post_id": rid}, author["headers"]).status_code
        == 200
    )
    found = api.get(ask).json_body
    [item] = found["community"]
    assert item["topic_id"] == tid and item["label"] == "Comunidad" and word in item["answer"]
    assert api.get(ask + "&lang=en").json_body["community"][0]["label"] == "Community"
    assert api.get("/api/v1/help/suggest?type=cuenta&subtype=acceso-portal").json_body["community"] == []

    # Editors only; the draft has the answer with the phone masked, the note says where it came from.
    path = f"/api/v1/forum/topics/{tid}/help-draft"
    for who, status in (("ana.l1", 403), (MOD, 403)):
        assert post(api, path, {}, aws.auth(who)).status_code == status
    assert post(api, path, {}, author["headers"]).status_code == 401
    assert (
        post(api, path, {"title": "x"}, aws.auth("diana.editora")).json_body["errors"][0]["field"] == "title"
    )
    made = post(api, path, {"slug": f"semaforo-{word}"}, aws.auth("diana.editora"))
    assert made.status_code == 201, made.body
    draft = made.json_body
    assert draft["status"] == "draft" and draft["title"] == f"Un {word} en el semáforo"
    assert word in draft["body_md"] and "8765" not in draft["body_md"] and "Rosa" not in draft["body_md"]
    revisions = api.get(
        f"/api/v1/admin/help/articles/{draft['slug']}/revisions?lang=es", headers=aws.auth("diana.editora")
    ).json_body
    assert revisions["items"][0]["note"].startswith("Desde el foro")
    # Hidden from the public, it leaves the suggestions at once and cannot become a draft.
    assert mod(api, aws, f"topics/{tid}/posts/topic/hide", {"reason": "Prueba"}).status_code == 200
    assert api.get(ask).json_body["community"] == []
    assert post(api, path, {"slug": f"otra-{word}"}, aws.auth("diana.editora")).status_code == 404
    other = post(api, "/api/v1/forum/topics", topic_body(), author["headers"]).json_body["topic_id"]
    assert (
        post(api, f"/api/v1/forum/topics/{other}/help-draft", {}, aws.auth("diana.editora")).status_code
        == 409
    )
