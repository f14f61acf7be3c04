"""The receipt SMS keeps the request number, the access code, the expected date and both links
within two GSM-7 segments, in Spanish and English, with links shaped as the notifier makes them."""

from __future__ import annotations

import base64
import uuid
from datetime import date
from typing import Any

import pytest

from ventanilla.notify import optout
from ventanilla.notify.events import Kind
from ventanilla.notify.render import TemplateRenderer, format_date
from ventanilla.notify.sms import is_gsm7, segments

SECRET = b"k" * 32
NOW = 1_780_000_000
DUE = date(2026, 12, 15)
SHORT_DATE = {"es": "15/12", "en": "Dec 15"}


def receipt(
    lang: str,
    *,
    base: str = "https://ventanilla.example.org",
    institution: str = "Municipalidad de Valle Verde",
    number: str = "2026-1234567",
    code: str = "K7P4M9XQ2A",
) -> tuple[str, dict[str, Any]]:
    """The receipt SMS rendered from the context the notifier builds (services/delivery.py)."""
    token = optout.make_token(SECRET, f"c:{uuid.uuid4().hex}", "sms", NOW)
    ctx = {
        "institution_name": institution,
        "recipient_name": "María José Pérez Núñez",
        "ticket_number": number,
        "ticket_subject": "Luminaria apagada",
        "ticket_url": f"{base}/#/solicitud/{number}?t=Qm9Fx2Lr7TsVb3NkW8yZqA1cD4eF6gH8",
        "ticket_short_url": f"{base}/#/solicitud/{number}",
        "opt_out_url": f"{base}/api/v1/notifications/opt-out/{token}",
        "access_code": code,
        "due_date": DUE,
    }
    text = TemplateRenderer().render(Kind.TICKET_RECEIVED, "sms", lang, ctx).text
    return text, ctx


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("number", ["2026-000123", "2026-1234567", "2026-123456789"])
def test_the_receipt_keeps_everything_within_two_segments(lang: str, number: str) -> None:
    text, ctx = receipt(lang, number=number)
    assert segments(text) <= 2 and is_gsm7(text)
    for needed in (number, ctx["access_code"], SHORT_DATE[lang], ctx["ticket_short_url"], ctx["opt_out_url"]):
        assert needed in text, (needed, text)
    assert "..." not in text, "nothing was cut with the default institution and address"
    assert ("Codigo" in text) == (lang == "es") and ("Code" in text) == (lang == "en")


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_long_name_and_address_shorten_the_wording_never_the_content(lang: str) -> None:
    text, ctx = receipt(
        lang,
        base="https://atencion-ciudadana.municipalidadvalleverde.gob.cl",
        institution="Ilustre Municipalidad de Valle Verde, Región de los Ríos",
        number="2026-1234567",
    )
    assert segments(text) <= 2
    for needed in (
        "2026-1234567",
        ctx["access_code"],
        SHORT_DATE[lang],
        ctx["ticket_short_url"],
        ctx["opt_out_url"],
    ):
        assert needed in text, (needed, text)


def test_short_dates_for_sms() -> None:
    assert format_date(date(2027, 1, 5), "day_month", "es") == "05/01"
    assert format_date(date(2027, 1, 5), "day_month", "en") == "Jan 5"
    assert format_date(DUE, "short", "es") == "15/12/2026"


# ---- shorter opt-out links ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rid",
    [
        "c:3f2b8c1e9a7d4e6f8a0b1c2d3e4f5a6b",  # a citizen (uuid4 hex)
        "s:6c84fb90-12c4-11e1-840d-7b25c5ee775a",  # a staff member (Cognito sub)
        "c:not-hex",
        "s:ABC",
        "01HV6Z4Y1T8M3Q7K2N9P5R0W4X",
    ],
)
def test_notifier_ids_pack_into_shorter_tokens_and_every_id_round_trips(rid: str) -> None:
    token = optout.make_token(SECRET, rid, "sms", NOW)
    assert optout.read_token(SECRET, token, now=NOW) == optout.OptOut(rid, "sms", NOW)
    packed = rid[:2] in ("c:", "s:") and len(rid) in (34, 38)
    assert (len(token) == 54) == packed
    if packed:
        assert len(token) <= len(optout.make_token(SECRET, "x:" + rid[2:], "sms", NOW)) - 22


def test_tokens_sent_before_the_packing_are_still_read() -> None:
    rid = f"c:{uuid.uuid4().hex}"
    payload = bytes([1]) + NOW.to_bytes(5, "big") + b"s" + rid.encode()
    legacy = base64.urlsafe_b64encode(payload + optout._mac(SECRET, payload)).rstrip(b"=").decode()
    assert optout.read_token(SECRET, legacy, now=NOW).recipient_id == rid


def test_a_packed_token_with_a_wrong_length_or_prefix_is_refused() -> None:
    for body in (b"c" + b"\x00" * 15, b"x" + b"\x00" * 16, b"c" + b"\x00" * 17):
        payload = bytes([2]) + NOW.to_bytes(5, "big") + b"s" + body
        token = base64.urlsafe_b64encode(payload + optout._mac(SECRET, payload)).rstrip(b"=").decode()
        with pytest.raises(optout.TokenError) as err:
            optout.read_token(SECRET, token, now=NOW)
        assert err.value.code == "malformed"
    token = optout.make_token(SECRET, f"s:{uuid.uuid4()}", "email", NOW)
    with pytest.raises(optout.TokenError):
        optout.read_token(SECRET, token[:-1] + ("A" if token[-1] != "A" else "B"), now=NOW)


# ---- the legal term of a regulated request ---------------------------------------------------------


LEGAL_DUE = date(2027, 1, 18)
LEGAL_WORDS = {"es": "Plazo legal: 18/01 (Ley 20.285).", "en": "Legal deadline: Jan 18 (Ley 20.285)."}


def legal_receipt(lang: str, **kwargs: Any) -> str:
    _, ctx = receipt(lang, **kwargs)
    ctx.update(legal_due_date=LEGAL_DUE, legal_law="Ley 20.285", legal_article="art. 14")
    return TemplateRenderer().render(Kind.TICKET_RECEIVED, "sms", lang, ctx).text


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_legal_term_is_in_the_receipt_sms_when_it_fits_whole(lang: str) -> None:
    text = legal_receipt(lang, base="https://vv.cl", number="2026-1234567")
    assert LEGAL_WORDS[lang] in text and segments(text) <= 2 and "..." not in text


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_legal_term_is_left_out_whole_rather_than_cut(lang: str) -> None:
    text = legal_receipt(
        lang,
        base="https://atencion-ciudadana.municipalidadvalleverde.gob.cl",
        institution="Ilustre Municipalidad de Valle Verde, Región de los Ríos",
        number="2026-123456789",
    )
    assert segments(text) <= 2
    assert "20.285" not in text and "18/01" not in text and "Jan 18" not in text
    assert "2026-123456789" in text and SHORT_DATE[lang] in text
