"""What no answer may carry: the access code's hash (nor the code itself in a link)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3

from tests.conftest import Aws, post, ticket_body


def create(api: Any, **overrides: Any) -> dict[str, Any]:
    response = post(api, "/api/v1/tickets", ticket_body(**overrides))
    assert response.status_code == 201, response.body
    return dict(response.json_body)


def stored_hash(aws: Aws, number: str) -> str:
    table = boto3.resource("dynamodb").Table(aws.env["TABLE_NAME"])
    item = table.get_item(Key={"PK": f"TICKET#{number}", "SK": "TICKET"}, ConsistentRead=True)["Item"]
    return str(item["access_code_hash"])


def walk(value: Any, path: str = "$") -> Iterator[tuple[str, Any]]:
    """Every (path, key or value) of a JSON document."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield f"{path}.{key}", key
            yield from walk(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from walk(inner, f"{path}[{i}]")
    else:
        yield path, value


def assert_no_hash(answer: Any, secret: str, what: str) -> None:
    assert answer.status_code < 300, (what, answer.body)
    found = [
        p
        for p, v in walk(answer.json_body)
        if v == "access_code_hash" or (isinstance(v, str) and secret in v)
    ]
    assert not found, f"{what} carries the access-code hash at {found}"


def test_no_answer_about_a_request_carries_the_access_code_hash(api: Any, aws: Aws) -> None:
    created = create(
        api,
        type="solicitud-informacion",
        subtype="ley-20285",
        form={"rut": "12.345.678-5", "formato": "correo"},
        subject="Contratos de alumbrado 2025",
    )
    number, code = created["number"], created["access_code"]
    secret = stored_hash(aws, number)
    assert secret and code not in secret
    bruno, carla = aws.auth("bruno.l2"), aws.auth("carla.supervisora")
    staff = f"/api/v1/agent/tickets/{number}"
    answers = {
        "staff view": api.get(staff, headers=bruno),
        "queue": api.get("/api/v1/agent/queue?team=transparencia&limit=100", headers=carla),
        "note": post(api, f"{staff}/note", {"body": "Revisar contratos"}, bruno),
        "reply": post(api, f"{staff}/reply", {"body": "Estamos reuniendo los contratos."}, bruno),
        "assign": post(api, f"{staff}/assign", {"assignee": aws.logins["bruno.l2"].sub}, bruno),
        "extension": post(
            api,
            f"{staff}/extension",
            {"days": 5, "justification": "Reunir antecedentes de tres áreas"},
            bruno,
        ),
        "reclassify": post(api, f"{staff}/reclassify", {"priority": "high"}, bruno),
        "escalate": post(api, f"{staff}/escalate", {"reason": "Requiere revisión jurídica"}, bruno),
        "citizen view": api.get(f"/api/v1/tickets/{number}", headers={"X-Access-Code": code}),
        "resolve": post(
            api, f"{staff}/status", {"status": "resolved", "body": "Adjuntamos los contratos."}, carla
        ),
    }
    for what, answer in answers.items():
        assert_no_hash(answer, secret, what)
    queue_rows = [i for i in answers["queue"].json_body["items"] if i["number"] == number]
    assert queue_rows, "the request is in its team's queue"
    # The hash is still kept where it belongs: the citizen's code keeps working.
    assert api.get(f"/api/v1/tickets/{number}", headers={"X-Access-Code": code}).status_code == 200


def test_access_codes_are_kept_as_a_keyed_hash_and_old_scrypt_hashes_are_upgraded(api: Any, aws: Aws) -> None:
    """A code is checked with an HMAC under a pepper the table does not hold; a request whose hash
    was written with scrypt before still opens with its code, and that follow rewrites the hash."""
    from ventanilla.rules import access_codes

    created = create(api)
    number, code = created["number"], created["access_code"]
    assert stored_hash(aws, number).startswith("hmac1$")
    table = boto3.resource("dynamodb").Table(aws.env["TABLE_NAME"])
    legacy = access_codes.legacy_scrypt_hash(code)
    table.update_item(
        Key={"PK": f"TICKET#{number}", "SK": "TICKET"},
        UpdateExpression="SET access_code_hash = :h",
        ExpressionAttributeValues={":h": legacy},
    )
    wrong = api.get(f"/api/v1/tickets/{number}", headers={"X-Access-Code": "ZZZZZZZZZZ"})
    assert wrong.status_code == 404
    assert stored_hash(aws, number) == legacy  # a wrong code rewrites nothing
    opened = api.get(f"/api/v1/tickets/{number}", headers={"X-Access-Code": code.lower()})
    assert opened.status_code == 200 and opened.json_body["number"] == number
    upgraded = stored_hash(aws, number)
    assert upgraded.startswith("hmac1$") and code not in upgraded
    again = api.get(f"/api/v1/tickets/{number}", headers={"X-Access-Code": code})
    assert again.status_code == 200 and stored_hash(aws, number) == upgraded
