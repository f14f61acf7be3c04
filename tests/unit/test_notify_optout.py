"""Opt-out tokens: compact, URL-safe, opaque, and refused when tampered with, expired or malformed."""

from __future__ import annotations

import base64
import hmac
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ventanilla.notify import optout
from ventanilla.notify.optout import OptOut, TokenError, make_token, read_token

SECRET = b"s" * 32
OTHER = b"o" * 32
RID = "01HV6Z4Y1T8M3Q7K2N9P5R0W4X"  # a ULID
NOW = 1_776_000_000


def test_round_trip() -> None:
    token = make_token(SECRET, RID, "sms", NOW)
    assert read_token(SECRET, token, now=NOW) == OptOut(recipient_id=RID, channel="sms", issued_at=NOW)


@pytest.mark.parametrize("channel", ["email", "sms", "push", "all"])
def test_every_channel_round_trips_and_is_url_safe_and_compact(channel: str) -> None:
    token = make_token(SECRET, RID, channel, NOW)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert len(token) <= 70
    assert read_token(SECRET, token, now=NOW).channel == channel


def test_tokens_differ_per_channel_recipient_time_and_secret() -> None:
    tokens = {
        make_token(SECRET, RID, "sms", NOW),
        make_token(SECRET, RID, "email", NOW),
        make_token(SECRET, RID + "1", "sms", NOW),
        make_token(SECRET, RID, "sms", NOW + 1),
        make_token(OTHER, RID, "sms", NOW),
    }
    assert len(tokens) == 5


@pytest.mark.parametrize(
    "recipient_id",
    ["maria@municipio.cl", "+56961234567", "56961234567", "569-6123-4567", "", "con espacio", "x" * 129],
)
def test_contact_data_or_junk_is_never_put_in_a_token(recipient_id: str) -> None:
    with pytest.raises(ValueError):
        make_token(SECRET, recipient_id, "email", NOW)


def test_unknown_channel_short_secret_and_bad_time_are_refused() -> None:
    with pytest.raises(ValueError):
        make_token(SECRET, RID, "fax", NOW)
    with pytest.raises(ValueError):
        make_token(b"short", RID, "sms", NOW)
    with pytest.raises(ValueError):
        make_token(SECRET, RID, "sms", -1)
    with pytest.raises(ValueError):
        read_token(b"short", make_token(SECRET, RID, "sms", NOW))


def test_every_single_character_change_is_refused() -> None:
    token = make_token(SECRET, RID, "email", NOW)
    alphabet = "AQgw_-"
    for i in range(len(token)):
        for c in alphabet:
            if c == token[i]:
                continue
            forged = token[:i] + c + token[i + 1 :]
            with pytest.raises(TokenError) as err:
                read_token(SECRET, forged, now=NOW)
            assert err.value.code in {"tampered", "malformed"}


def test_a_payload_reencoded_with_another_recipient_is_refused() -> None:
    raw = base64.urlsafe_b64decode(make_token(SECRET, RID, "email", NOW) + "==")
    forged_raw = raw.replace(RID.encode(), b"01HV6Z4Y1T8M3Q7K2N9P5R0W4Y")
    forged = base64.urlsafe_b64encode(forged_raw).rstrip(b"=").decode()
    with pytest.raises(TokenError) as err:
        read_token(SECRET, forged, now=NOW)
    assert err.value.code == "tampered"
    assert "firma" in err.value.es and "signature" in err.value.en


def test_another_secret_is_refused() -> None:
    with pytest.raises(TokenError) as err:
        read_token(OTHER, make_token(SECRET, RID, "sms", NOW), now=NOW)
    assert err.value.code == "tampered"


def test_expiry() -> None:
    token = make_token(SECRET, RID, "sms", NOW)
    assert read_token(SECRET, token, max_age_seconds=3600, now=NOW + 3600).issued_at == NOW
    with pytest.raises(TokenError) as err:
        read_token(SECRET, token, max_age_seconds=3600, now=NOW + 3601)
    assert err.value.code == "expired"
    assert "expiró" in err.value.es and "expired" in err.value.en
    # Without a maximum age, old tokens stay valid (an unsubscribe link should keep working).
    assert read_token(SECRET, token, now=NOW + 10 * 365 * 86400).recipient_id == RID


def test_tokens_from_the_future_are_refused_beyond_clock_skew() -> None:
    token = make_token(SECRET, RID, "sms", NOW + 300)
    assert read_token(SECRET, token, now=NOW).issued_at == NOW + 300
    with pytest.raises(TokenError) as err:
        read_token(SECRET, make_token(SECRET, RID, "sms", NOW + 301), now=NOW)
    assert err.value.code == "future"


@pytest.mark.parametrize(
    "token",
    ["", "!!!", "abc", "a" * 401, "AQ", "token con espacios", "Zm9v", "AQAAAAAA", "ä" * 10],
)
def test_malformed_tokens(token: str) -> None:
    with pytest.raises(TokenError) as err:
        read_token(SECRET, token, now=NOW)
    assert err.value.code == "malformed"
    assert "dañado" in err.value.es and "damaged" in err.value.en


def test_truncated_token_is_refused() -> None:
    token = make_token(SECRET, RID, "sms", NOW)
    for end in range(len(token)):
        with pytest.raises(TokenError):
            read_token(SECRET, token[:end], now=NOW)


def test_non_canonical_base64_is_refused() -> None:
    token = make_token(SECRET, RID, "sms", NOW)
    # The last character carries unused low bits when the length is not a multiple of 3 bytes.
    raw_len = len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    assert raw_len % 3 != 0
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twin = token[:-1] + alphabet[alphabet.index(token[-1]) ^ 1]
    with pytest.raises(TokenError):
        read_token(SECRET, twin, now=NOW)


class _HmacSpy:
    """Stands in for the hmac module inside optout, recording compare_digest calls."""

    def __init__(self, compare: Any) -> None:
        self.compare_digest = compare
        self.new = hmac.new


def test_signature_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return bool(real(a, b))

    monkeypatch.setattr(optout, "hmac", _HmacSpy(spy))
    read_token(SECRET, make_token(SECRET, RID, "push", NOW), now=NOW)
    assert len(calls) == 1 and len(calls[0][0]) == 16


@given(
    rid=st.from_regex(r"[A-Za-z_.:][A-Za-z0-9_.:-]{0,100}", fullmatch=True),
    channel=st.sampled_from(["email", "sms", "push", "all"]),
    issued=st.integers(min_value=0, max_value=NOW),
)
def test_round_trip_property(rid: str, channel: str, issued: int) -> None:
    token = make_token(SECRET, rid, channel, issued)
    assert read_token(SECRET, token, now=NOW) == OptOut(rid, channel, issued)
