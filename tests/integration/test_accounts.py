"""Citizen accounts (issue F1) against the moto server provisioned from template.yaml: sign-up with
an emailed code, one record across channels, the rights to see, export and erase, consents, the
staff side, retention, and the wall between the citizens' and the staff's tokens."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta
from typing import Any

import boto3
import jwt
import pytest

from tests.conftest import JSON, Aws, post, ticket_body

MARK = "[suprimido]"


def _forward(action: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    from infra.local.web import forward_cognito

    status, _, payload = forward_cognito(
        f"AWSCognitoIdentityProviderService.{action}", json.dumps(body).encode()
    )
    return status, json.loads(payload or b"{}")


def sign_up(aws: Aws, email: str, password: str = "Clave-Segura-123", name: str = "Rosa Muñoz") -> str:
    """Sign up through the web's Cognito forward, confirm with the emailed code; the ID token."""
    from infra.local import outbox

    client = aws.env["CITIZEN_POOL_CLIENT_ID"]
    status, answer = _forward(
        "SignUp",
        {
            "ClientId": client,
            "Username": email,
            "Password": password,
            "UserAttributes": [{"Name": "name", "Value": name}],
        },
    )
    assert status == 200, answer
    mail = next(e for e in outbox.entries(to=email) if "código" in e["subject"])
    code = re.search(r"\b(\d{6})\b", mail["text"]).group(1)  # type: ignore[union-attr]
    wrong = "000000" if code != "000000" else "111111"
    status, answer = _forward(
        "ConfirmSignUp", {"ClientId": client, "Username": email, "ConfirmationCode": wrong}
    )
    assert status == 400 and answer["__type"] == "CodeMismatchException"
    status, _ = _forward("ConfirmSignUp", {"ClientId": client, "Username": email, "ConfirmationCode": code})
    assert status == 200
    return id_token(aws, email, password)


def id_token(aws: Aws, email: str, password: str) -> str:
    result = boto3.client("cognito-idp").initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
        ClientId=aws.env["CITIZEN_POOL_CLIENT_ID"],
    )
    return str(result["AuthenticationResult"]["IdToken"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_email() -> str:
    return f"vecino.{uuid.uuid4().hex[:10]}@example.cl"


def new_phone() -> str:
    return f"+56 9 8{uuid.uuid4().int % 10_000_000:07d}"


@pytest.fixture()
def citizen(aws: Aws, api: Any) -> dict[str, Any]:
    email = new_email()
    token = sign_up(aws, email)
    assert api.get("/api/v1/me", headers=bearer(token)).status_code == 200  # the portal, once signed in
    return {"email": email, "headers": bearer(token), "token": token}


def file_signed_in(api: Any, citizen: dict[str, Any], **overrides: Any) -> str:
    mine = {"email": citizen["email"], "phone": None, "channels": ["email"]}
    body = ticket_body(requester={**mine, **overrides.pop("requester", {})}, **overrides)
    answer = post(api, "/api/v1/tickets", body, citizen["headers"])
    assert answer.status_code == 201, answer.body
    return str(answer.json_body["number"])


def file_by_email(api: Any, aws: Aws, email: str, name: str = "Rosa Muñoz") -> str:
    """What the email intake does: staff-side filing on channel email, then attach by the sender."""
    body = ticket_body(
        channel="email",
        subject="Consulta por correo sobre patentes",
        requester={"name": name, "email": email, "phone": None, "channels": ["email"]},
    )
    answer = post(api, "/api/v1/tickets", body, aws.auth("ana.l1"))
    assert answer.status_code == 201, answer.body
    number = str(answer.json_body["number"])
    from ventanilla.services import accounts

    accounts.attach_by_verified_contact(number, "email", email)
    return number


def test_config_publishes_the_citizens_pool(api: Any, aws: Aws) -> None:
    cfg = api.get("/api/v1/config").json_body
    assert cfg["citizen_pool_id"] == aws.env["CITIZEN_POOL_ID"] != cfg["user_pool_id"]
    assert cfg["citizen_pool_client_id"] == aws.env["CITIZEN_POOL_CLIENT_ID"]


def test_web_and_email_requests_of_a_verified_address_are_mine_newest_first(
    api: Any, aws: Aws, citizen: dict[str, Any]
) -> None:
    me = api.get("/api/v1/me", headers=citizen["headers"])
    assert me.status_code == 200, me.body
    assert me.headers["Cache-Control"] == "no-store"
    assert [c["value"] for c in me.json_body["contacts"]] == [citizen["email"]]
    given = {c["purpose"] for c in me.json_body["consents"] if c["given"]}
    assert given == {"privacy_notice", "handle_requests", "notices_email"}
    web = file_signed_in(api, citizen)
    mail = file_by_email(api, aws, citizen["email"])
    listed = api.get("/api/v1/me/tickets", headers=citizen["headers"]).json_body
    assert [t["number"] for t in listed["items"]] == [mail, web]
    assert {t["channel"] for t in listed["items"]} == {"web", "email"}
    first = api.get("/api/v1/me/tickets?limit=1", headers=citizen["headers"]).json_body
    assert [t["number"] for t in first["items"]] == [mail] and first["next_cursor"]
    second = api.get(f"/api/v1/me/tickets?limit=1&cursor={first['next_cursor']}", headers=citizen["headers"])
    assert [t["number"] for t in second.json_body["items"]] == [web]
    # Anonymous filing keeps working exactly as before: number + code.
    anon = post(api, "/api/v1/tickets", ticket_body())
    assert anon.status_code == 201
    code = anon.json_body["access_code"]
    followed = api.get(f"/api/v1/tickets/{anon.json_body['number']}", headers={"X-Access-Code": code})
    assert followed.status_code == 200


def test_unverified_contacts_never_attach(api: Any, aws: Aws, citizen: dict[str, Any]) -> None:
    from ventanilla.services import accounts

    # Someone files anonymously with her address: typed, not verified, so not hers.
    anon = post(
        api,
        "/api/v1/tickets",
        ticket_body(requester={"email": citizen["email"], "phone": None, "channels": ["email"]}),
    )
    assert anon.status_code == 201
    # An address nobody verified attaches nothing.
    stranger = file_by_email(api, aws, new_email())
    assert accounts.attach_by_verified_contact(stranger, "email", new_email()) is None
    # Her verified address, but not the request's contact: refused too.
    assert accounts.attach_by_verified_contact(stranger, "email", citizen["email"]) is None
    listed = api.get("/api/v1/me/tickets", headers=citizen["headers"]).json_body["items"]
    assert listed == []
    # Signed in, another (unverified) address is refused naming the field, and nothing is filed.
    body = ticket_body(requester={"email": new_email(), "phone": None, "channels": ["email"]})
    refused = post(api, "/api/v1/tickets", body, citizen["headers"])
    assert refused.status_code == 422, refused.body
    assert refused.json_body["errors"][0]["field"] == "requester.email"
    # An unconfirmed sign-up has no verified email: nothing is indexed for it.
    email = new_email()
    boto3.client("cognito-idp").sign_up(
        ClientId=aws.env["CITIZEN_POOL_CLIENT_ID"], Username=email, Password="Clave-Segura-123"
    )
    boto3.client("cognito-idp").admin_confirm_sign_up(UserPoolId=aws.env["CITIZEN_POOL_ID"], Username=email)
    token = id_token(aws, email, "Clave-Segura-123")
    me = api.get("/api/v1/me", headers=bearer(token)).json_body
    assert me["contacts"] == [] and me["unverified"] == [email]
    assert accounts.attach_by_verified_contact(file_by_email(api, aws, email), "email", email) is None


def test_signed_in_a_citizen_opens_answers_her_requests_without_their_codes_and_no_others(
    api: Any, aws: Aws, citizen: dict[str, Any]
) -> None:
    web = file_signed_in(api, citizen)
    mail = file_by_email(api, aws, citizen["email"])
    for number in (web, mail):
        opened = post(api, f"/api/v1/me/tickets/{number}/session", {}, citizen["headers"])
        assert opened.status_code == 201, opened.body
        assert opened.headers["Cache-Control"] == "no-store" and opened.json_body["number"] == number
        session = {"X-Ticket-Session": opened.json_body["session"]}
        followed = api.get(f"/api/v1/tickets/{number}", headers=session)
        assert followed.status_code == 200 and followed.json_body["number"] == number
        answered = post(api, f"/api/v1/tickets/{number}/messages", {"body": "Agrego un dato."}, session)
        assert answered.status_code == 201, answered.body
        other = next(n for n in (web, mail) if n != number)  # a session opens its own request only
        assert api.get(f"/api/v1/tickets/{other}", headers=session).status_code == 404
    stranger = post(api, "/api/v1/tickets", ticket_body())  # anonymous: not hers
    someone = {"email": new_email(), "headers": bearer(sign_up(aws, new_email()))}
    for number, headers in (
        (stranger.json_body["number"], citizen["headers"]),
        (web, someone["headers"]),
        ("2026-999999", citizen["headers"]),
        ("no-es-numero", citizen["headers"]),
    ):
        refused = post(api, f"/api/v1/me/tickets/{number}/session", {}, headers)
        assert refused.status_code == 404 and refused.json_body["code"] == "ticket_not_found", number
    assert post(api, f"/api/v1/me/tickets/{web}/session", {}, {}).status_code == 401
    assert post(api, f"/api/v1/me/tickets/{web}/session", {}, aws.auth("ana.l1")).status_code == 401


def test_opening_an_emailed_link_joins_a_request_filed_signed_out_to_the_account_of_its_address(
    api: Any, aws: Aws, citizen: dict[str, Any]
) -> None:
    """Her address, typed while signed out, is not proof; opening the receipt mailed there is."""
    from tests.integration.test_notifications import receipt_token
    from ventanilla.services import delivery

    created, token = receipt_token(aws, api, email=citizen["email"].upper())
    number = created["number"]

    def mine() -> list[str]:
        listed = api.get("/api/v1/me/tickets", headers=citizen["headers"]).json_body["items"]
        return [t["number"] for t in listed]

    assert mine() == []
    pushed = delivery.issue_link(number, "push")  # a browser's push: not her mailbox
    assert post(api, f"/api/v1/tickets/{number}/session", {"token": pushed}).status_code == 201
    assert mine() == []
    opened = post(api, f"/api/v1/tickets/{number}/session", {"token": token})
    assert opened.status_code == 201, opened.body
    assert mine() == [number]
    staff = api.get(f"/api/v1/agent/tickets/{number}", headers=aws.auth("ana.l1")).json_body["history"]
    assert [e["data"].get("via") for e in staff if e["action"] == "linked"] == ["email_link"]
    # Once hers, another emailed link changes nothing; a used link is still refused.
    again = delivery.issue_link(number, "email")
    assert post(api, f"/api/v1/tickets/{number}/session", {"token": again}).status_code == 201
    assert post(api, f"/api/v1/tickets/{number}/session", {"token": token}).status_code == 410
    staff = api.get(f"/api/v1/agent/tickets/{number}", headers=aws.auth("ana.l1")).json_body["history"]
    assert sum(e["action"] == "linked" for e in staff) == 1
    # An address no account verified: the link opens the request and attaches nothing.
    other, other_token = receipt_token(aws, api)
    assert post(api, f"/api/v1/tickets/{other['number']}/session", {"token": other_token}).status_code == 201
    view = api.get(f"/api/v1/agent/tickets/{other['number']}", headers=aws.auth("ana.l1")).json_body
    assert not any(e["action"] == "linked" for e in view["history"])


def staff_routes() -> list[tuple[str, str]]:
    """Every staff route of the API (authenticated or role-bound), with sample path values."""
    from chalicelib.http import route_docs

    samples = {
        "number": "2026-000001",
        "slug": "x",
        "kind": "ticket_received",
        "channel": "email",
        "lang": "es",
    }
    routes = []
    for doc in route_docs():
        if not (doc.auth or doc.roles) or doc.path.startswith("/api/v1/me"):
            continue
        path = re.sub(r"\{(\w+)\}", lambda m: samples.get(m.group(1), "x1"), doc.path)
        routes.append((doc.method, path))
    return routes


CITIZEN_ROUTES = [
    ("GET", "/api/v1/me"),
    ("PUT", "/api/v1/me"),
    ("GET", "/api/v1/me/tickets"),
    ("POST", "/api/v1/me/tickets/2026-000001/session"),
    ("GET", "/api/v1/me/export"),
    ("POST", "/api/v1/me/consents"),
    ("DELETE", "/api/v1/me"),
]


def _call(api: Any, method: str, path: str, headers: dict[str, str]) -> Any:
    body = (
        json.dumps({"name": "Xx", "purpose": "campaigns", "given": True})
        if method in ("PUT", "POST")
        else None
    )
    return getattr(api, method.lower())(path, headers={**JSON, **headers}, **({"body": body} if body else {}))


def test_a_citizen_token_never_opens_staff_routes_nor_a_staff_token_citizen_routes(
    api: Any, aws: Aws, citizen: dict[str, Any]
) -> None:
    routes = staff_routes()
    assert len(routes) > 40 and {p.split("/")[3] for _, p in routes} >= {"agent", "admin", "stats"}
    for method, path in routes:
        answer = _call(api, method, path, citizen["headers"])
        assert answer.status_code == 401, (path, answer.status_code)
    staff = aws.auth("carla.supervisora")
    for method, path in CITIZEN_ROUTES:
        answer = _call(api, method, path, staff)
        assert answer.status_code == 401, (path, answer.status_code)
        assert answer.json_body["code"] == "token_invalid"
    # Filing with a staff token is staff filing; with a citizen token, the citizen's own.
    assert post(api, "/api/v1/tickets", ticket_body(channel="phone"), citizen["headers"]).status_code == 422


def test_unsigned_forged_or_foreign_tokens_are_refused(api: Any, aws: Aws, citizen: dict[str, Any]) -> None:
    claims = jwt.decode(citizen["token"], options={"verify_signature": False})
    unsigned = jwt.encode(claims, key=None, algorithm="none")
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "dummy"})
    tampered = citizen["token"].rsplit(".", 1)[0] + ".AAAA"
    for token in (unsigned, forged, tampered, "nonsense"):
        answer = api.get("/api/v1/me", headers=bearer(token))
        assert answer.status_code == 401, token[:20]
    assert api.get("/api/v1/me").status_code == 401
    # The access token of the right pool is not enough: the ID token carries the verified email.
    access = boto3.client("cognito-idp").initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": citizen["email"], "PASSWORD": "Clave-Segura-123"},
        ClientId=aws.env["CITIZEN_POOL_CLIENT_ID"],
    )["AuthenticationResult"]["AccessToken"]
    assert api.get("/api/v1/me", headers=bearer(access)).status_code == 401


def test_profile_update_checks_fields_and_versions(api: Any, citizen: dict[str, Any]) -> None:
    headers = {**JSON, **citizen["headers"]}
    me = api.get("/api/v1/me", headers=citizen["headers"]).json_body
    body = {
        "name": "Rosa Muñoz Soto",
        "language": "en",
        "notice_channels": ["email"],
        "segment": {
            "region": "Valparaíso",
            "comuna": "Quilpué",
            "age_band": "30-44",
            "topics": ["alumbrado"],
        },
        "version": me["version"],
    }
    saved = api.put("/api/v1/me", headers=headers, body=json.dumps(body))
    assert saved.status_code == 200, saved.body
    assert saved.json_body["segment"]["comuna"] == "Quilpué" and saved.json_body["language"] == "en"
    stale = api.put("/api/v1/me", headers=headers, body=json.dumps(body))
    assert stale.status_code == 409
    sms = api.put(
        "/api/v1/me", headers=headers, body=json.dumps({**body, "version": None, "notice_channels": ["sms"]})
    )
    assert sms.status_code == 422 and sms.json_body["errors"][0]["field"] == "notice_channels"
    bad = api.put("/api/v1/me", headers=headers, body=json.dumps({**body, "segment": {"age_band": "old"}}))
    assert bad.status_code == 422 and bad.json_body["errors"][0]["field"].startswith("segment.age_band")
    extra = api.put(
        "/api/v1/me", headers=headers, body=json.dumps({**body, "version": None, "email": "x@y.cl"})
    )
    assert extra.status_code == 422
    after = api.get("/api/v1/me", headers=citizen["headers"]).json_body
    assert after["name"] == "Rosa Muñoz Soto" and after["version"] == me["version"] + 1


def test_consents_are_a_ledger_and_withdrawal_stops_the_channel(api: Any, citizen: dict[str, Any]) -> None:
    from ventanilla.storage import notices

    headers = citizen["headers"]
    gave = post(api, "/api/v1/me/consents", {"purpose": "campaigns", "given": True}, headers)
    assert gave.status_code == 201, gave.body
    off = post(api, "/api/v1/me/consents", {"purpose": "notices_email", "given": False}, headers)
    assert off.status_code == 201
    states = {c["purpose"]: c["given"] for c in off.json_body["consents"]}
    assert states["campaigns"] is True and states["notices_email"] is False
    citizen_id = off.json_body["citizen_id"]
    assert notices.opted_out(f"CITIZEN#{citizen_id}") == {"email"}
    post(api, "/api/v1/me/consents", {"purpose": "notices_email", "given": True}, headers)
    assert notices.opted_out(f"CITIZEN#{citizen_id}") == set()
    refused = post(api, "/api/v1/me/consents", {"purpose": "privacy_notice", "given": False}, headers)
    assert refused.status_code == 422 and refused.json_body["errors"][0]["code"] == "consent_needs_erasure"
    unknown = post(api, "/api/v1/me/consents", {"purpose": "spam", "given": True}, headers)
    assert unknown.status_code == 422 and unknown.json_body["errors"][0]["field"] == "purpose"
    ledger = api.get("/api/v1/me/export", headers=headers).json_body["consents"]
    assert [(c["purpose"], c["given"]) for c in ledger][-3:] == [
        ("campaigns", True),
        ("notices_email", False),
        ("notices_email", True),
    ]
    assert all(c["text_version"] and c["channel"] == "web" for c in ledger)


def test_staff_see_the_requesters_other_requests_of_their_teams_and_every_read_is_audited(
    api: Any, aws: Aws, citizen: dict[str, Any]
) -> None:
    web = file_signed_in(api, citizen)
    other = file_by_email(api, aws, citizen["email"])
    supervisor = aws.auth("carla.supervisora")
    panel = api.get(f"/api/v1/agent/tickets/{web}/requester", headers=supervisor)
    assert panel.status_code == 200, panel.body
    body = panel.json_body
    assert body["has_account"]
    assert body["contacts"] == [{"kind": "email", "value": citizen["email"], "verified": True}]
    assert [r["number"] for r in body["other_requests"]] == [other] and body["hidden_requests"] == 0
    assert api.get(f"/api/v1/agent/tickets/{web}", headers=supervisor).status_code == 200
    reads = api.get("/api/v1/me/export", headers=citizen["headers"]).json_body["staff_reads"]
    carla = aws.logins["carla.supervisora"]
    assert [(r["what"], r["number"], r["staff_sub"]) for r in reads][:2] == [
        ("ticket", web, carla.sub),
        ("requester_panel", web, carla.sub),
    ]
    # An agent outside the request's team sees neither the request nor the panel.
    from ventanilla.storage import people
    from ventanilla.storage import tickets as store

    team = store.get_ticket(web).team  # type: ignore[union-attr]

    def teams(username: str) -> list[str]:
        profile = people.get_staff(aws.logins[username].sub)
        return profile.teams if profile else []

    agents = [u for u, login in aws.logins.items() if {"agent-l1", "agent-l2"} & set(login.groups)]
    outsider = next((u for u in agents if team not in teams(u)), None)
    insider = next(u for u in agents if team in teams(u))
    if outsider:
        answer = api.get(f"/api/v1/agent/tickets/{web}/requester", headers=aws.auth(outsider))
        assert answer.status_code == 403
    seen = api.get(f"/api/v1/agent/tickets/{web}/requester", headers=aws.auth(insider)).json_body
    assert seen["hidden_requests"] + len(seen["other_requests"]) == 1


def test_staff_link_a_request_they_entered_after_checking_identity(
    api: Any, aws: Aws, citizen: dict[str, Any]
) -> None:
    ana = aws.auth("ana.l1")
    body = ticket_body(
        channel="phone", requester={"name": "Rosa", "email": None, "phone": new_phone(), "channels": ["sms"]}
    )
    answer = post(api, "/api/v1/tickets", body, ana)
    assert answer.status_code == 201, answer.body
    number = answer.json_body["number"]
    carla = aws.auth("carla.supervisora")
    path = f"/api/v1/agent/tickets/{number}/link"
    unchecked = post(api, path, {"email": citizen["email"], "identity_checked": False}, carla)
    assert unchecked.status_code == 422 and unchecked.json_body["errors"][0]["field"] == "identity_checked"
    nobody = post(api, path, {"email": new_email(), "identity_checked": True}, carla)
    assert nobody.status_code == 422 and nobody.json_body["errors"][0]["code"] == "no_verified_account"
    assert (
        post(api, path, {"email": citizen["email"], "identity_checked": True}, citizen["headers"]).status_code
        == 401
    )
    linked = post(api, path, {"email": citizen["email"], "identity_checked": True}, carla)
    assert linked.status_code == 200, linked.body
    assert linked.json_body["has_account"]
    mine = api.get("/api/v1/me/tickets", headers=citizen["headers"]).json_body["items"]
    assert [t["number"] for t in mine] == [number]
    web = file_signed_in(api, citizen)
    refused = post(
        api, f"/api/v1/agent/tickets/{web}/link", {"email": citizen["email"], "identity_checked": True}, carla
    )
    assert refused.status_code == 403 and refused.json_body["code"] == "link_staff_entered_only"


def test_export_is_rate_limited(api: Any, aws: Aws, citizen: dict[str, Any]) -> None:
    from ventanilla.settings import get_settings

    for _ in range(get_settings().account_exports_per_day):
        assert api.get("/api/v1/me/export", headers=citizen["headers"]).status_code == 200
    limited = api.get("/api/v1/me/export", headers=citizen["headers"])
    assert limited.status_code == 429 and limited.headers["Retry-After"]


def _scan(aws: Aws) -> list[dict[str, Any]]:
    """Every item of the local table (test only: a Scan proves what no Query could)."""
    table = boto3.resource("dynamodb").Table(aws.env["TABLE_NAME"])
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {}
    while True:
        page = table.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _stats(aws: Aws) -> dict[str, Any]:
    return {
        (i["PK"], i["SK"]): i
        for i in _scan(aws)
        if str(i["PK"]).startswith("STATS#") and not str(i["PK"]).startswith("STATS#help")
    }


def test_erasure_leaves_no_personal_data_anywhere_and_statistics_unchanged(
    api: Any, aws: Aws, citizen: dict[str, Any]
) -> None:
    name, phone = "Hortensia Valdebenito", new_phone()
    secret_text = f"texto-identificador-{uuid.uuid4().hex[:8]}"
    put = api.put(
        "/api/v1/me",
        headers={**JSON, **citizen["headers"]},
        body=json.dumps({"name": name, "segment": {"comuna": "Limache"}}),
    )
    assert put.status_code == 200
    web = file_signed_in(
        api,
        citizen,
        description=f"Vivo en pasaje {secret_text}",
        requester={"name": name, "email": citizen["email"], "phone": phone, "channels": ["email"]},
    )
    mail = file_by_email(api, aws, citizen["email"], name=name)
    followed = post(
        api,
        f"/api/v1/agent/tickets/{web}/reply",
        {"body": f"Hola {name}, recibido."},
        aws.auth("carla.supervisora"),
    )
    assert followed.status_code in (200, 201), followed.body
    aws.stack.wait_idle(30)
    before = _stats(aws)
    answer = api.delete("/api/v1/me", headers=citizen["headers"])
    assert answer.status_code == 200, answer.body
    out = answer.json_body
    assert sorted(out["requests_anonymised"]) == sorted([web, mail])
    assert (
        out["kept"] and all(k["why"] for k in out["kept"]) and "registro de consentimientos" in out["deleted"]
    )
    aws.stack.wait_idle(30)
    local = citizen["email"].split("@")[0]
    digits = re.sub(r"\D", "", phone)[-8:]
    for item in _scan(aws):
        text = json.dumps(item, default=str)
        for needle in (name, "Hortensia", local, digits, secret_text, "Limache"):
            assert needle not in text, (needle, item.get("PK"), item.get("SK"))
    assert _stats(aws) == before
    # Numbers stay and say the data was erased; the request still counts.
    from ventanilla.storage import tickets as store

    kept = store.get_ticket(web)
    assert kept is not None and kept.requester.name == MARK and kept.data_erased_why == "erasure"
    # Idempotent: the same answer again; the account is gone from the pool.
    again = api.delete("/api/v1/me", headers=citizen["headers"])
    assert again.status_code == 200 and again.json_body == out
    assert api.get("/api/v1/me", headers=citizen["headers"]).status_code == 404
    with pytest.raises(boto3.client("cognito-idp").exceptions.UserNotFoundException):
        boto3.client("cognito-idp").admin_get_user(
            UserPoolId=aws.env["CITIZEN_POOL_ID"], Username=citizen["email"]
        )


def test_retention_anonymises_closed_requests_after_the_period(
    api: Any, aws: Aws, citizen: dict[str, Any]
) -> None:
    from ventanilla.models.common import utcnow
    from ventanilla.services import accounts
    from ventanilla.storage import tickets as store

    number = file_signed_in(api, citizen)
    still_open = file_signed_in(api, citizen)
    carla = aws.auth("carla.supervisora")
    closed = post(api, f"/api/v1/agent/tickets/{number}/status", {"status": "closed"}, carla)
    assert closed.status_code == 200, closed.body
    assert accounts.anonymise_due(utcnow() + timedelta(days=365 * 4)) == []
    done = accounts.anonymise_due(utcnow() + timedelta(days=365 * 5 + 2))
    assert number in done and still_open not in done
    ticket = store.get_ticket(number)
    assert ticket is not None and ticket.subject == MARK and ticket.data_erased_why == "retention"
    assert store.get_ticket(still_open).subject != MARK  # type: ignore[union-attr]
    # The marker is gone: a second run does nothing.
    assert number not in accounts.anonymise_due(utcnow() + timedelta(days=365 * 5 + 2))
