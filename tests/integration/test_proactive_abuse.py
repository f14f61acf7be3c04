"""Abuse controls on ``POST /api/v1/subscriptions`` (issue 16): each call sends an email or an SMS,
so one client and one address get a bounded number per period (429 + Retry-After naming the field,
nothing written, nothing sent), and the SMS code goes only to the institution's countries within
the daily spend caps."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import Aws, post, table_items
from ventanilla import clock
from ventanilla.settings import get_settings


@pytest.fixture(scope="module")
def topic(aws: Aws, app: Any) -> str:
    from chalice.test import Client

    code = f"avisos-{uuid.uuid4().hex[:6]}"
    with Client(app) as client:
        put = client.http.put(
            f"/api/v1/admin/subscription-topics/{code}",
            body=json.dumps({"name": "Avisos", "name_en": "Notices"}),
            headers={**aws.auth("elena.admin"), "Content-Type": "application/json"},
        )
        assert put.status_code == 200, put.body
    return code


@pytest.fixture()
def strict(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    settings = get_settings()
    monkeypatch.setattr(settings, "subscribe_per_address_per_day", 2)
    monkeypatch.setattr(settings, "subscribe_per_client_per_hour", 1_000_000)
    yield settings


def _sent(to: str) -> list[dict[str, Any]]:
    from infra.local import outbox

    return list(outbox.entries(to))


def _subscribe(api: Any, topic: str, **body: Any) -> Any:
    return post(api, "/api/v1/subscriptions", {"consent": True, "topics": [topic], "sectors": ["*"], **body})


def _email() -> str:
    return f"vecino.{uuid.uuid4().hex[:10]}@example.cl"


def test_one_email_gets_at_most_the_daily_confirmations(aws: Aws, api: Any, topic: str, strict: Any) -> None:
    email = _email()
    assert _subscribe(api, topic, email=email).status_code == 201
    assert _subscribe(api, topic, email=email.upper()).status_code == 201
    assert len(_sent(email)) == 2
    before = table_items(aws)
    refused = _subscribe(api, topic, email=email)
    assert refused.status_code == 429, refused.body
    wait = int(refused.headers["Retry-After"])
    assert 0 < wait <= 86400
    problem = refused.json_body
    assert problem["code"] == "too_many_subscriptions"
    assert [e["field"] for e in problem["errors"]] == ["email"]
    assert table_items(aws) == before  # nothing written
    assert len(_sent(email)) == 2  # nothing sent
    assert _subscribe(api, topic, email=_email()).status_code == 201  # another address is not affected
    with clock.advanced(timedelta(seconds=wait + 1)):
        assert _subscribe(api, topic, email=email).status_code == 201


def test_subscribing_and_filing_keep_separate_buckets(aws: Aws, api: Any, topic: str, strict: Any) -> None:
    from tests.conftest import ticket_body

    strict.subscribe_per_address_per_day = 1
    email = _email()
    assert _subscribe(api, topic, email=email).status_code == 201
    filed = post(api, "/api/v1/tickets", ticket_body(requester={"email": email, "channels": ["email"]}))
    assert filed.status_code == 201, filed.body
    assert _subscribe(api, topic, email=email).status_code == 429


def test_one_phone_and_one_client(aws: Aws, api: Any, topic: str, strict: Any) -> None:
    digits = f"98{uuid.uuid4().int % 10**7:07d}"
    assert _subscribe(api, topic, phone=f"+56{digits}").status_code == 201
    assert _subscribe(api, topic, phone=f"+56{digits}", email=_email()).status_code == 201
    refused = _subscribe(api, topic, phone=f"+56{digits}")
    assert refused.status_code == 429
    assert [e["field"] for e in refused.json_body["errors"]] == ["phone"]
    strict.subscribe_per_client_per_hour = 2
    with clock.advanced(timedelta(days=40)):  # earlier calls from this client have drained
        assert _subscribe(api, topic, email=_email()).status_code == 201
        assert _subscribe(api, topic, email=_email()).status_code == 201
        again = _subscribe(api, topic, email=_email())
        assert again.status_code == 429
        assert [e["field"] for e in again.json_body["errors"]] == ["client"]
        assert 0 < int(again.headers["Retry-After"]) <= 1800
        assert "suscripciones" in again.json_body["detail"]


def test_sms_code_only_to_allowed_countries_and_within_caps(
    aws: Aws, api: Any, topic: str, strict: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = table_items(aws)
    abroad = "+5491123456789"  # Argentina: not the institution's country
    refused = _subscribe(api, topic, phone=abroad)
    assert refused.status_code == 422, refused.body
    assert [(e["field"], e["code"]) for e in refused.json_body["errors"]] == [("phone", "sub_phone_country")]
    assert table_items(aws) == before and _sent(abroad) == []
    monkeypatch.setattr(strict, "sms_daily_segments_per_number", 1)
    with clock.advanced(timedelta(days=80)):  # a fresh day for the caps
        phone = f"+5697{uuid.uuid4().int % 10**7:07d}"
        assert _subscribe(api, topic, phone=phone).status_code == 201
        assert len(_sent(phone)) == 1
        capped = _subscribe(api, topic, phone=phone, email=_email())
        assert capped.status_code == 429, capped.body
        assert capped.json_body["code"] == "sub_sms_cap"
        assert [(e["field"], e["code"]) for e in capped.json_body["errors"]] == [
            ("phone", "sub_sms_cap_number")
        ]
        assert 0 < int(capped.headers["Retry-After"]) <= 86400
        assert len(_sent(phone)) == 1


def test_a_management_link_with_a_non_ascii_token_is_404_not_500(api: Any) -> None:
    """hmac.compare_digest refuses non-ASCII strings (TypeError): such a token opens nothing."""
    for method in ("GET", "PUT"):
        answer = getattr(api, method.lower())(
            "/api/v1/subscriptions/abc?t=%C3%A1%C3%B1o",
            **(
                {"body": json.dumps({"language": "es"}), "headers": {"Content-Type": "application/json"}}
                if method == "PUT"
                else {}
            ),
        )
        assert answer.status_code in (404, 422), (method, answer.body)
