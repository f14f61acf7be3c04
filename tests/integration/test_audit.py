"""The audit trail (F4): every admin route that changes something appends exactly one record,
with who, what, the before/after diff and a hash of the source address; admins read and export
it with filters; nobody can edit it."""

from __future__ import annotations

import csv
import io
import json
import uuid
from typing import Any

import pytest

from tests.conftest import Aws
from tests.integration.help_support import article_body

CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
READ_ONLY_POSTS = {
    "/api/v1/admin/notifications/preview",
    "/api/v1/admin/routing/dry-run",
    "/api/v1/admin/calendar/due",
    "/api/v1/admin/calendar/holidays",
    "/api/v1/admin/help/preview",
    "/api/v1/admin/campaigns/preview",
}
"""Admin POSTs that compute an answer and change nothing (so they write no record)."""


def send(api: Any, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    kwargs: dict[str, Any] = {"headers": {**headers, "Content-Type": "application/json"}}
    if body is not None:
        kwargs["body"] = json.dumps(body)
    return getattr(api, method.lower())(path, **kwargs)


def trail(api: Any, aws: Aws, **filters: str) -> list[dict[str, Any]]:
    query = "&".join(f"{k}={v}" for k, v in {"limit": "200", **filters}.items())
    answer = api.get(f"/api/v1/admin/audit?{query}", headers=aws.auth("elena.admin"))
    assert answer.status_code == 200, answer.body
    return list(answer.json_body["items"])


def test_every_changing_admin_route_is_audited(app: Any) -> None:
    """The route table itself: a new admin route that changes something must name what it audits."""
    from chalicelib.http import route_docs

    changing = [
        d
        for d in route_docs()
        if d.method in CHANGING
        and (d.path.startswith("/api/v1/admin/") or d.path.startswith("/api/v1/stats/goals"))
        and d.path not in READ_ONLY_POSTS
    ]
    assert len(changing) >= 25
    unaudited = [f"{d.method} {d.path}" for d in changing if not d.audit]
    assert not unaudited


def _one_more(api: Any, aws: Aws, kind: str, action: str, target: str, call: Any) -> dict[str, Any]:
    before = trail(api, aws, kind=kind)
    answer = call()
    assert 200 <= answer.status_code < 300, answer.body
    after = trail(api, aws, kind=kind)
    added = [r for r in after if r["id"] not in {b["id"] for b in before}]
    assert len(added) == 1, (kind, action, added)
    record = added[0]
    assert record["action"] == action and (target is None or record["target"] == target), record
    assert len(record["ip_hash"]) == 32 and record["method"] in CHANGING
    return record


def test_each_admin_route_writes_one_record(api: Any, aws: Aws) -> None:
    elena = aws.auth("elena.admin")
    diana = aws.auth("diana.editora")
    tag = uuid.uuid4().hex[:6]

    # canned responses
    title = f"Respuesta de prueba {tag}"
    made = _one_more(
        api,
        aws,
        "canned",
        "create",
        None,
        lambda: send(api, "POST", "/api/v1/admin/canned", {"title": title, "body": "Hola {nombre}"}, elena),
    )
    cid = next(c["after"] for c in made["changes"] if c["path"] == "id")
    assert made["actor"] == "elena.admin" and made["changes"]
    edited = _one_more(
        api,
        aws,
        "canned",
        "update",
        cid,
        lambda: send(
            api, "PUT", f"/api/v1/admin/canned/{cid}", {"title": title, "body": "Adiós {nombre}"}, elena
        ),
    )
    body_change = next(c for c in edited["changes"] if c["path"] == "body")
    assert body_change == {"path": "body", "before": "Hola {nombre}", "after": "Adiós {nombre}"}
    gone = _one_more(
        api,
        aws,
        "canned",
        "delete",
        cid,
        lambda: send(api, "DELETE", f"/api/v1/admin/canned/{cid}", None, elena),
    )
    assert all(c["after"] is None for c in gone["changes"])

    # service levels: calendar, SLA policy, routing rules (saved as they are: still one record each,
    # whose only change is the next version)
    for kind, path in (
        ("calendar", "/api/v1/admin/calendar"),
        ("sla-policy", "/api/v1/admin/sla-policy"),
        ("routing-rules", "/api/v1/admin/routing/rules"),
    ):
        current = api.get(path, headers=elena).json_body
        record = _one_more(
            api, aws, kind, "update", "", lambda p=path, c=current: send(api, "PUT", p, c, elena)
        )
        assert [c["path"] for c in record["changes"]] == ["version"]  # only the version moved on

    # goals
    goal = {"name": {"es": f"Meta {tag}"}, "type_code": "consulta", "threshold_hours": 960, "target_pct": 90}
    _one_more(
        api,
        aws,
        "goal",
        "create",
        f"meta-{tag}",
        lambda: send(api, "POST", "/api/v1/stats/goals", goal, elena),
    )
    gid = f"meta-{tag}"
    changed = _one_more(
        api,
        aws,
        "goal",
        "update",
        gid,
        lambda: send(api, "PUT", f"/api/v1/stats/goals/{gid}", {**goal, "target_pct": 80}, elena),
    )
    assert {"path": "target_pct", "before": 90.0, "after": 80.0} in changed["changes"]
    _one_more(
        api,
        aws,
        "goal",
        "delete",
        gid,
        lambda: send(api, "DELETE", f"/api/v1/stats/goals/{gid}", None, elena),
    )

    # notification templates
    tpath = "/api/v1/admin/notifications/templates/ticket_reopened/email/en"
    _one_more(
        api,
        aws,
        "notification-template",
        "update",
        "ticket_reopened/email/en",
        lambda: send(api, "PUT", tpath, {"subject": "Reopened {{ ticket_number }}"}, elena),
    )
    _one_more(
        api,
        aws,
        "notification-template",
        "delete",
        "ticket_reopened/email/en",
        lambda: send(api, "DELETE", tpath, None, elena),
    )
    _one_more(
        api,
        aws,
        "dead-letters",
        "redrive",
        "",
        lambda: send(api, "POST", "/api/v1/admin/notifications/dead-letters/redrive", {}, elena),
    )

    # help content (an editor's changes are audited the same way)
    slug = f"auditoria-{tag}"
    _one_more(
        api,
        aws,
        "help-article",
        "create",
        slug,
        lambda: send(api, "POST", "/api/v1/admin/help/articles", article_body(slug), diana),
    )
    article = api.get(f"/api/v1/admin/help/articles/{slug}", headers=diana).json_body
    edit = {
        k: article_body(slug)[k]
        for k in ("title", "summary", "body_md", "section_path", "section_titles", "stage", "tags")
    }
    edit.update(revision=article["revision"], title="Cómo inscribir una mascota (editado)")
    record = _one_more(
        api,
        aws,
        "help-article",
        "update",
        slug,
        lambda: send(api, "PUT", f"/api/v1/admin/help/articles/{slug}", edit, diana),
    )
    assert record["actor"] == "diana.editora" and any(c["path"] == "title" for c in record["changes"])
    _one_more(
        api,
        aws,
        "help-article",
        "publish",
        slug,
        lambda: send(api, "POST", f"/api/v1/admin/help/articles/{slug}/publish", {}, diana),
    )
    _one_more(
        api,
        aws,
        "help-section",
        "reorder",
        "",
        lambda: send(
            api,
            "POST",
            "/api/v1/admin/help/reorder",
            {"section": "registro-de-mascotas", "slugs": [slug]},
            diana,
        ),
    )
    _one_more(
        api,
        aws,
        "help-article",
        "archive",
        slug,
        lambda: send(api, "POST", f"/api/v1/admin/help/articles/{slug}/archive", {}, diana),
    )
    line = json.dumps(article_body(f"importado-{tag}"))
    _one_more(
        api,
        aws,
        "help-article",
        "import",
        "",
        lambda: api.post(
            "/api/v1/admin/help/import",
            body=line + "\n",
            headers={**diana, "Content-Type": "application/x-ndjson"},
        ),
    )

    # staff and teams
    user = f"auditado.{tag}"
    person = {
        "username": user,
        "email": f"{user}@vallverde.example",
        "name": "Auditado",
        "groups": ["agent-l1"],
        "teams": ["atencion"],
    }
    _one_more(
        api, aws, "staff", "create", user, lambda: send(api, "POST", "/api/v1/admin/staff", person, elena)
    )
    version = api.get(f"/api/v1/admin/staff/{user}", headers=elena).json_body["version"]
    roles = _one_more(
        api,
        aws,
        "staff",
        "update",
        user,
        lambda: send(
            api,
            "PUT",
            f"/api/v1/admin/staff/{user}",
            {
                **{k: person[k] for k in ("name", "teams")},
                "groups": ["agent-l2"],
                "tier": "L2",
                "version": version,
            },
            elena,
        ),
    )
    assert {"path": "groups", "before": ["agent-l1"], "after": ["agent-l2"]} in roles["changes"]
    off = _one_more(
        api,
        aws,
        "staff",
        "disable",
        user,
        lambda: send(api, "POST", f"/api/v1/admin/staff/{user}/disable", {}, elena),
    )
    assert {"path": "enabled", "before": True, "after": False} in off["changes"]
    _one_more(
        api,
        aws,
        "staff",
        "enable",
        user,
        lambda: send(api, "POST", f"/api/v1/admin/staff/{user}/enable", {}, elena),
    )
    team = {"code": f"equipo-{tag}", "name": {"es": "Equipo"}, "tiers": ["L1"]}
    _one_more(
        api,
        aws,
        "team",
        "create",
        team["code"],
        lambda: send(api, "POST", "/api/v1/admin/teams", team, elena),
    )
    _one_more(
        api,
        aws,
        "team",
        "update",
        team["code"],
        lambda: send(
            api,
            "PUT",
            f"/api/v1/admin/teams/{team['code']}",
            {"name": {"es": "Equipo 2"}, "tiers": ["L1"]},
            elena,
        ),
    )

    # a refused change writes nothing
    before = trail(api, aws, kind="canned")
    assert (
        send(
            api, "PUT", "/api/v1/admin/canned/no-existe", {"title": "Nada que ver", "body": "Texto"}, elena
        ).status_code
        == 404
    )
    assert send(api, "POST", "/api/v1/admin/canned", {"title": ""}, elena).status_code == 422
    assert len(trail(api, aws, kind="canned")) == len(before)


def test_filters_paging_and_export(api: Any, aws: Aws) -> None:
    elena = aws.auth("elena.admin")
    tag = uuid.uuid4().hex[:6]
    for i in range(3):
        code = f"filtro-{tag}-{i}"
        assert (
            send(
                api,
                "POST",
                "/api/v1/admin/teams",
                {"code": code, "name": {"es": code}, "tiers": ["L1"]},
                elena,
            ).status_code
            == 201
        )
    teams = trail(api, aws, kind="team", actor="elena.admin")
    assert all(r["kind"] == "team" and r["actor"] == "elena.admin" for r in teams) and len(teams) >= 3
    assert [r["at"] for r in teams] == sorted((r["at"] for r in teams), reverse=True)
    assert trail(api, aws, kind="team", actor="ana.l1") == []
    first = api.get("/api/v1/admin/audit?kind=team&limit=2", headers=elena).json_body
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = api.get(
        f"/api/v1/admin/audit?kind=team&limit=2&cursor={first['next_cursor']}", headers=elena
    ).json_body
    assert not {r["id"] for r in first["items"]} & {r["id"] for r in second["items"]}
    exported = api.get("/api/v1/admin/audit/export?kind=team", headers=elena)
    assert exported.status_code == 200 and exported.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.body.decode())))
    assert {f"filtro-{tag}-{i}" for i in range(3)} <= {
        r["target"] or json.loads(r["changes"])[0]["after"] for r in rows
    } | {c["after"] for r in rows for c in json.loads(r["changes"]) if c["path"] == "code"}
    lines = (
        api.get("/api/v1/admin/audit/export?kind=team&format=jsonl", headers=elena).body.decode().splitlines()
    )
    assert len(lines) == len(rows) and json.loads(lines[0])["kind"] == "team"


@pytest.mark.parametrize(
    "query,field",
    [
        ("from=2026-13-01", "from"),
        ("kind=NO VALE", "kind"),
        ("from=2026-05-01&to=2026-01-01", "period"),
        ("cursor=bm9wZQ", "cursor"),
        ("limit=0", "limit"),
    ],
)
def test_bad_filters_are_400(api: Any, aws: Aws, query: str, field: str) -> None:
    answer = api.get(f"/api/v1/admin/audit?{query}", headers=aws.auth("elena.admin"))
    assert answer.status_code == 400, (query, answer.body)


@pytest.mark.parametrize("who", ["ana.l1", "carla.supervisora", "diana.editora"])
def test_only_admins_read_the_trail_and_nobody_edits_it(api: Any, aws: Aws, who: str) -> None:
    assert api.get("/api/v1/admin/audit", headers=aws.auth(who)).status_code == 403
    assert api.get("/api/v1/admin/audit/export", headers=aws.auth(who)).status_code == 403
    elena = aws.auth("elena.admin")
    for method in ("put", "delete", "post"):
        assert getattr(api, method)("/api/v1/admin/audit", headers=elena).status_code in (403, 404, 405)


def test_an_issued_api_key_is_audited_without_its_value(api: Any, aws: Aws) -> None:
    """The answer shows the key once; the audit record says a key was issued, not which."""
    elena = aws.auth("elena.admin")
    name = f"cliente-{uuid.uuid4().hex[:6]}"
    issued = send(api, "POST", "/api/v1/admin/api-keys", {"name": name, "scopes": ["open311:write"]}, elena)
    assert issued.status_code == 201, issued.body
    key = issued.json_body["key"]
    records = [r for r in trail(api, aws, kind="api-key") if name in json.dumps(r)]
    assert len(records) == 1
    assert key not in json.dumps(records[0])
    assert "[secreto]" in json.dumps(records[0])
