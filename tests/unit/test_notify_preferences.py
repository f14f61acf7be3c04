"""Which channels a notice goes to."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ventanilla.notify.events import CITIZEN_KINDS, STAFF_KINDS, Audience, Channel, Kind
from ventanilla.notify.preferences import Contact, Preferences, channels_for

FULL = Contact(email="maria@municipio.cl", phone="+56961234567", push=True)


def test_defaults_are_email_in_spanish() -> None:
    prefs = Preferences()
    assert prefs.channels == {"email"} and prefs.language == "es" and prefs.opted_out == set()


def test_only_known_channels_and_languages() -> None:
    with pytest.raises(ValidationError):
        Preferences(channels=frozenset({"fax"}))
    with pytest.raises(ValidationError):
        Preferences(language="fr")
    with pytest.raises(ValidationError):
        Preferences(channels=frozenset({"web"}))


def test_chosen_channels_in_a_stable_order() -> None:
    prefs = Preferences(channels=frozenset({"push", "sms", "email"}))
    assert channels_for(Kind.PUBLIC_REPLY, prefs, FULL) == [Channel.EMAIL, Channel.SMS, Channel.PUSH]


def test_no_sms_without_phone_and_no_push_without_device() -> None:
    prefs = Preferences(channels=frozenset({"sms", "push", "email"}))
    assert channels_for(Kind.PUBLIC_REPLY, prefs, Contact(email="m@x.cl")) == [Channel.EMAIL]
    assert channels_for(Kind.PUBLIC_REPLY, prefs, Contact(phone="+56961234567")) == [Channel.SMS]


def test_opted_out_channels_are_removed() -> None:
    prefs = Preferences(channels=frozenset({"sms", "email"}), opted_out=frozenset({"sms"}))
    assert channels_for(Kind.TICKET_RESOLVED, prefs, FULL) == [Channel.EMAIL]


def test_ordinary_notice_with_no_applicable_channel_is_not_sent() -> None:
    prefs = Preferences(channels=frozenset({"sms"}))
    assert channels_for(Kind.TICKET_IN_PROGRESS, prefs, Contact(email="m@x.cl")) == []


@pytest.mark.parametrize("kind", [Kind.TICKET_RECEIVED, Kind.DEADLINE_EXTENDED])
def test_essential_notice_falls_back_to_the_first_reachable_channel(kind: Kind) -> None:
    prefs = Preferences(channels=frozenset({"sms"}))
    assert channels_for(kind, prefs, Contact(email="m@x.cl", push=True)) == [Channel.EMAIL]
    assert channels_for(kind, Preferences(channels=frozenset()), Contact(push=True)) == [Channel.PUSH]


def test_essential_notice_still_honours_opt_outs() -> None:
    prefs = Preferences(channels=frozenset({"sms"}), opted_out=frozenset({"email"}))
    contact = Contact(email="m@x.cl", phone=None, push=True)
    assert channels_for(Kind.TICKET_RECEIVED, prefs, contact) == [Channel.PUSH]
    everything_out = Preferences(opted_out=frozenset({"email", "sms", "push"}))
    assert channels_for(Kind.TICKET_RECEIVED, everything_out, FULL) == []


def test_essential_notice_with_a_chosen_channel_does_not_add_others() -> None:
    prefs = Preferences(channels=frozenset({"sms"}))
    assert channels_for(Kind.TICKET_RECEIVED, prefs, FULL) == [Channel.SMS]


def test_web_is_never_listed() -> None:
    prefs = Preferences(channels=frozenset({"email", "sms", "push"}))
    for kind in Kind:
        assert Channel.WEB not in channels_for(kind, prefs, FULL)


def test_audiences() -> None:
    assert len(CITIZEN_KINDS) == 9 and len(STAFF_KINDS) == 5
    assert all(k.audience is Audience.CITIZEN for k in CITIZEN_KINDS)
    assert {k.value for k in STAFF_KINDS} == {
        "ticket_assigned_to_you",
        "sla_warning",
        "sla_breached",
        "ticket_escalated",
        "citizen_replied",
    }
    assert [k for k in Kind if k.essential] == [
        Kind.TICKET_RECEIVED,
        Kind.DEADLINE_EXTENDED,
        Kind.TICKET_MERGED,
    ]
