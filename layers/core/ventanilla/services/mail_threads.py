"""The mail thread of a request's notices to its citizen: the headers that keep the citizen's
client in one conversation and the Message-IDs that tie replies to the request. Apart from email
intake (parsing, filing) so the notifier imports only this."""

from __future__ import annotations

from ventanilla.integrations import secrets
from ventanilla.rules import email_thread
from ventanilla.settings import get_settings
from ventanilla.storage import email_threads

SYNTHETIC = "@mail.invalid"
"""Domain of the Message-ID given to a mail that came without one (so it is still handled once)."""


def outgoing_headers(number: str) -> dict[str, str]:
    """Headers of a notice to the citizen of request ``number``: our own Message-ID (a reply to it
    names the request), the request's reply address, and when the request has a mail thread the
    ``In-Reply-To``/``References`` and ``Re:`` subject that keep the citizen's client in one
    conversation. Empty when email intake is off."""
    settings = get_settings()
    if not settings.requests_address:
        return {}
    domain = settings.requests_address.partition("@")[2]
    message_id = email_thread.our_message_id(number, domain)
    headers = {
        "Message-ID": message_id,
        "Reply-To": email_thread.reply_address(settings.requests_address, number, secrets.access_code_key()),
    }
    thread = email_threads.thread(number)
    if thread:
        # A mail that came without a Message-ID got one made up here: never name it to the citizen.
        real = [m for m in dict.fromkeys([thread["root"], thread["last"]]) if not m.endswith(SYNTHETIC)]
        if real:
            headers["In-Reply-To"] = f"<{real[-1]}>"
            headers["References"] = " ".join(f"<{m}>" for m in real)
        headers["Subject"] = f"Re: {thread['subject']} [{number}]"
    return headers


def sent(number: str, headers: dict[str, str]) -> None:
    """After a notice went out: its Message-ID belongs to the request and ends the thread."""
    message_id = headers.get("Message-ID", "").strip("<>")
    if not message_id:
        return
    email_threads.link(message_id, number, ours=True)
    if "Subject" in headers:  # the request had a mail thread (:func:`outgoing_headers`)
        email_threads.move_last(number, message_id)
