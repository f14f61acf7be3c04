"""Pure rules: statuses, priority, numbers, access codes, forms, messages, domain events."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ventanilla import domain_events, i18n
from ventanilla.errors import Conflict
from ventanilla.models.catalog import FormField, Option
from ventanilla.models.common import Text
from ventanilla.rules import access_codes
from ventanilla.rules.forms import check_form, rut_is_valid
from ventanilla.rules.numbering import format_number, is_number
from ventanilla.rules.priority import RANK, priority_of
from ventanilla.rules.state_machine import TRANSITIONS, Status, after_citizen_reply, can_move, check_move


def test_closed_is_final_and_everything_else_can_progress() -> None:
    assert TRANSITIONS[Status.CLOSED] == frozenset()
    for status in Status:
        if status != Status.CLOSED:
            assert TRANSITIONS[status], status


def test_every_status_reaches_closed() -> None:
    for start in Status:
        seen, frontier = {start}, [start]
        while frontier:
            for nxt in TRANSITIONS[frontier.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    frontier.append(nxt)
        assert Status.CLOSED in seen or start == Status.CLOSED


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("received", "assigned", True),
        ("received", "reopened", False),
        ("resolved", "reopened", True),
        ("resolved", "in_progress", False),
        ("closed", "reopened", False),
        ("waiting_citizen", "in_progress", True),
        ("in_progress", "received", False),
    ],
)
def test_transitions(current: str, target: str, allowed: bool) -> None:
    assert can_move(Status(current), Status(target)) is allowed
    if not allowed:
        with pytest.raises(Conflict) as raised:
            check_move(Status(current), Status(target))
        assert raised.value.params == {"from_": current, "to": target}


def test_citizen_reply_resumes_or_reopens() -> None:
    assert after_citizen_reply(Status.WAITING_CITIZEN) == Status.IN_PROGRESS
    assert after_citizen_reply(Status.RESOLVED) == Status.REOPENED
    assert after_citizen_reply(Status.IN_PROGRESS) is None


def test_priority_matrix_is_monotonic() -> None:
    levels = ["low", "medium", "high"]
    assert priority_of("high", "high") == "critical"
    assert priority_of("low", "low") == "low"
    for i, impact in enumerate(levels):
        for j, urgency in enumerate(levels):
            here = RANK[priority_of(impact, urgency)]  # type: ignore[arg-type]
            if i + 1 < 3:
                assert RANK[priority_of(levels[i + 1], urgency)] <= here  # type: ignore[arg-type]
            if j + 1 < 3:
                assert RANK[priority_of(impact, levels[j + 1])] <= here  # type: ignore[arg-type]


def test_numbers() -> None:
    assert format_number(2026, 123) == "2026-000123"
    assert format_number(2026, 1_234_567) == "2026-1234567"
    assert is_number("2026-000123") and not is_number("2026-123") and not is_number("../etc")
    with pytest.raises(ValueError):
        format_number(2026, 0)


KEY = access_codes.pepper(b"a test secret")
NUMBER = "2026-000123"


@settings(max_examples=25, deadline=None)
@given(st.text(max_size=40))
def test_access_codes_only_match_themselves(other: str) -> None:
    code = access_codes.new_code()
    stored = access_codes.hash_code(code, KEY, NUMBER)
    assert len(code) >= 8 and set(code) <= set(access_codes.ALPHABET)
    assert code not in stored and stored.startswith("hmac1$")
    assert access_codes.check_code(code, stored, KEY, NUMBER)
    assert access_codes.check_code(code.lower()[:4] + "-" + code[4:], stored, KEY, NUMBER)
    if access_codes.normalise(other) != code:
        assert not access_codes.check_code(other, stored, KEY, NUMBER)


def test_a_code_hash_is_bound_to_its_request_and_to_the_secret() -> None:
    stored = access_codes.hash_code("ABCDEFGH23", KEY, NUMBER)
    assert access_codes.check_code("ABCDEFGH23", stored, KEY, NUMBER)
    assert not access_codes.check_code("ABCDEFGH23", stored, KEY, "2026-000124")  # copied elsewhere
    assert not access_codes.check_code("ABCDEFGH23", stored, access_codes.pepper(b"other"), NUMBER)
    assert access_codes.pepper(b"a test secret") != b"a test secret"  # derived, not the secret itself


def test_bad_hashes_an_unknown_request_and_no_code_never_match() -> None:
    for broken in ("", "plain", "md5$a$b", "scrypt$!!$??", "hmac1$!!", "hmac1$"):
        assert access_codes.check_code("ABCDEFGH23", broken, KEY, NUMBER) is False
    assert (
        access_codes.check_code(None, access_codes.hash_code("ABCDEFGH23", KEY, NUMBER), KEY, NUMBER) is False
    )
    assert access_codes.check_code("", access_codes.hash_code("", KEY, NUMBER), KEY, NUMBER) is False
    assert access_codes.check_code("ABCDEFGH23", None, KEY, NUMBER) is False


def test_hashes_written_before_with_scrypt_are_still_read_and_flagged_for_rehash() -> None:
    legacy = access_codes.legacy_scrypt_hash("ABCDEFGH23")
    assert access_codes.check_code("abcd-efgh23", legacy, KEY, NUMBER)
    assert not access_codes.check_code("ABCDEFGH24", legacy, KEY, NUMBER)
    assert access_codes.needs_rehash(legacy)
    assert not access_codes.needs_rehash(access_codes.hash_code("ABCDEFGH23", KEY, NUMBER))


@pytest.mark.parametrize(
    ("rut", "ok"),
    [
        ("12.345.678-5", True),
        ("12345678-5", True),
        ("7.654.321-6", True),
        ("12.345.678-9", False),
        ("11.111.111-K", False),
        ("abc", False),
        ("", False),
    ],
)
def test_rut(rut: str, ok: bool) -> None:
    assert rut_is_valid(rut) is ok


def test_check_form_reports_every_problem_by_field() -> None:
    fields = [
        FormField(name="rut", label=Text(es="RUT"), kind="rut", required=True),
        FormField(name="correo", label=Text(es="Correo"), kind="email"),
        FormField(
            name="clase",
            label=Text(es="Clase"),
            kind="select",
            options=[Option(value="b", label=Text(es="B"))],
        ),
        FormField(name="m2", label=Text(es="m2"), kind="number"),
        FormField(name="nota", label=Text(es="Nota"), max_length=5),
    ]
    clean, errors = check_form(
        fields, {"correo": "x@", "clase": "z", "m2": "diez", "nota": "123456", "otro": "1"}
    )
    assert clean == {}
    assert {(e.field, e.code) for e in errors} == {
        ("form.otro", "extra_forbidden"),
        ("form.rut", "missing"),
        ("form.correo", "invalid_email"),
        ("form.clase", "unknown_option"),
        ("form.m2", "float_parsing"),
        ("form.nota", "string_too_long"),
    }
    clean, errors = check_form(
        fields, {"rut": "12.345.678-5", "correo": "A@Example.CL", "clase": "b", "m2": 12.5}
    )
    assert errors == [] and clean["clase"] == "b" and clean["m2"] == 12.5


def test_select_without_options_is_refused() -> None:
    with pytest.raises(ValueError):
        FormField(name="x", label=Text(es="X"), kind="select")


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        (None, "es"),
        ("", "es"),
        ("en-US,en;q=0.9", "en"),
        ("es-CL", "es"),
        ("fr-FR, en;q=0.5", "en"),
        ("de", "es"),
        ("*", "es"),
    ],
)
def test_language_negotiation(header: str | None, lang: str) -> None:
    assert i18n.pick_lang(header) == lang


def test_messages_fill_parameters_and_never_leak_braces() -> None:
    assert i18n.message("string_too_long", "es", max_length=5) == "Es demasiado largo (máximo 5 caracteres)."
    assert i18n.message("string_too_long", "en", max_length=5) == "Too long (at most 5 characters)."
    assert "{" not in i18n.message("string_too_long", "es")  # a missing parameter falls back
    assert i18n.message("no-such-code", "en") == "Invalid value."


def test_every_message_exists_in_both_languages() -> None:
    for code, texts in i18n._MESSAGES.items():
        assert texts.get("es") and texts.get("en"), code


def _image(**overrides: object) -> dict[str, object]:
    image: dict[str, object] = {
        "entity": "event",
        "event_id": "e1",
        "number": "2026-000001",
        "at": "2026-01-01T00:00:00Z",
        "action": "message",
        "public": True,
        "channel": "web",
        "actor": {"kind": "staff", "id": "sub-1", "name": "Ana"},
        "body": "texto privado",
        "data": {},
    }
    image.update(overrides)
    return image


def test_domain_events_carry_no_bodies_or_citizen_ids() -> None:
    [event] = domain_events.from_stream_record("INSERT", _image())
    assert event.detail_type == "AgentReplied"
    assert "body" not in event.detail and "texto privado" not in str(event.detail)
    [citizen] = domain_events.from_stream_record("INSERT", _image(actor={"kind": "citizen", "id": "c-9"}))
    assert citizen.detail_type == "CitizenReplied" and "actor_id" not in citizen.detail


def test_domain_events_only_for_new_history_events() -> None:
    assert domain_events.from_stream_record("MODIFY", _image()) == []
    assert domain_events.from_stream_record("INSERT", _image(entity="ticket")) == []
    assert domain_events.from_stream_record("INSERT", None) == []
    assert domain_events.from_stream_record("INSERT", _image(action="notification")) == []
    [assigned] = domain_events.from_stream_record(
        "INSERT", _image(action="assigned", data={"team": "t", "assignee": "s"})
    )
    assert assigned.detail_type == "TicketAssigned" and assigned.detail["team"] == "t"


def test_next_statuses_are_the_allowed_moves_the_usual_next_step_first() -> None:
    """What the console offers is the state machine itself (it keeps no copy), in a useful order."""
    from ventanilla.rules.state_machine import next_statuses

    for status in Status:
        offered = next_statuses(status)
        assert set(offered) == TRANSITIONS[status] and len(offered) == len(set(offered)), status
    assert next_statuses(Status.IN_PROGRESS) == [Status.WAITING_CITIZEN, Status.RESOLVED, Status.ASSIGNED]
    assert next_statuses(Status.RESOLVED) == [Status.CLOSED, Status.REOPENED]
    assert next_statuses(Status.CLOSED) == []
