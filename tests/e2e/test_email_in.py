"""Email in through the running stack: mail sent with smtplib to the development SMTP server (which
stands in for SES receiving: raw mail to the bucket's mail/, then EmailInFunction), the receipt and
the replies read in the outbox, the request read as an agent over HTTP."""

from __future__ import annotations

import smtplib
import time
import uuid
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

import pytest
import requests

from tests.e2e.test_round_trip import login
from tests.integration.test_attachments import PDF
from tests.stack_process import SMTP_PORTS

pytestmark = pytest.mark.e2e
TO = "solicitudes@ventanilla.localhost"


def until(check: Callable[[], Any], timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


def address() -> str:
    return f"vecino-{uuid.uuid4().hex[:10]}@example.cl"


def mail(sender: str, subject: str, text: str, **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Pedro Soto <{sender}>"
    message["To"] = TO
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@example.cl>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message


def send(url: str, message: EmailMessage | bytes, sender: str = "x@example.cl", to: str = TO) -> None:
    with smtplib.SMTP("127.0.0.1", SMTP_PORTS[url], timeout=60) as smtp:
        if isinstance(message, bytes):
            smtp.sendmail(sender, [to], message)
        else:
            smtp.send_message(message)


def outbox(url: str, to: str) -> list[dict[str, Any]]:
    answer = requests.get(f"{url}/dev/outbox", params={"format": "json", "to": to}, timeout=10)
    return [e for e in answer.json()["items"] if e["channel"] == "email"]


def receipt(url: str, to: str) -> dict[str, Any]:
    return until(lambda: next(iter(outbox(url, to)), None))


def number_of(entry: dict[str, Any]) -> str:
    return entry["subject"].rsplit("[", 1)[1].rstrip("]")


@pytest.fixture(scope="module")
def agent(stack_url: str) -> dict[str, str]:
    return login(stack_url, "ana.l1", "Demo-Ventanilla-1")


def staff_ticket(url: str, agent: dict[str, str], number: str) -> dict[str, Any]:
    answer = requests.get(f"{url}/api/v1/agent/tickets/{number}", headers=agent, timeout=30)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_a_new_mail_opens_a_request_and_the_receipt_is_in_its_thread(
    stack_url: str, agent: dict[str, str]
) -> None:
    sender = address()
    message = mail(
        sender,
        "Bache en calle Los Olmos",
        "Hay un bache enorme frente al 45.\n\nGracias\n\n-- \nPedro Soto\nJunta de vecinos",
    )
    send(stack_url, message)
    got = receipt(stack_url, sender)
    number = number_of(got)
    assert got["subject"] == f"Re: Bache en calle Los Olmos [{number}]"
    assert got["in_reply_to"] == message["Message-ID"]
    assert message["Message-ID"] in got["references"]
    assert "Código de acceso" in got["text"] and number in got["text"]
    assert got["reply_to"].startswith(f"solicitudes+{number}.")
    ticket = staff_ticket(stack_url, agent, number)
    assert ticket["ticket"]["channel"] == "email"
    assert (ticket["ticket"]["type_code"], ticket["ticket"]["subtype_code"]) == ("consulta", "general")
    assert ticket["ticket"]["description"] == "Hay un bache enorme frente al 45.\n\nGracias"
    assert ticket["ticket"]["requester"]["email"] == sender
    assert ticket["ticket"]["requester"]["name"] == "Pedro Soto"

    # The agent sees the raw mail on request; an event that did not come by email has none.
    created = next(e for e in ticket["history"] if e["action"] == "created")
    source = requests.get(
        f"{stack_url}/api/v1/agent/tickets/{number}/events/{created['event_id']}/source",
        headers=agent,
        timeout=30,
    )
    assert source.status_code == 200, source.text
    names = {h["name"].lower(): h["value"] for h in source.json()["headers"]}
    assert names["message-id"] == message["Message-ID"]
    raw = requests.get(source.json()["url"], timeout=30)
    assert raw.status_code == 200 and b"Hay un bache enorme" in raw.content
    other = next(e for e in ticket["history"] if e["action"] != "created")
    missing = requests.get(
        f"{stack_url}/api/v1/agent/tickets/{number}/events/{other['event_id']}/source",
        headers=agent,
        timeout=30,
    )
    assert missing.status_code == 404 and missing.json()["code"] == "email_source_not_found"

    # The agent's public reply goes out in the same thread.
    answer = requests.post(
        f"{stack_url}/api/v1/agent/tickets/{number}/reply",
        json={"body": "Enviaremos una cuadrilla esta semana."},
        headers=agent,
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    reply = until(lambda: next((e for e in outbox(stack_url, sender) if "cuadrilla" in e["text"]), None))
    assert reply["subject"] == f"Re: Bache en calle Los Olmos [{number}]"
    assert reply["in_reply_to"] == got["message_id"]
    assert message["Message-ID"] in reply["references"]


def test_replies_from_the_requester_are_appended_and_from_others_are_not(
    stack_url: str, agent: dict[str, str]
) -> None:
    sender = address()
    send(stack_url, mail(sender, "Certificado de residencia", "¿Cómo obtengo el certificado?"))
    got = receipt(stack_url, sender)
    number = number_of(got)

    # In the thread (In-Reply-To the receipt), quoting it and with a signature: the new text only.
    threaded = mail(
        sender,
        f"Re: {got['subject']}",
        f"Ya lo encontré, gracias.\n\nEl mié, 2 dic 2026 a las 10:00, Municipalidad <{TO}> escribió:\n> {number}",
        In_Reply_To=got["message_id"],
        References=got["message_id"],
    )
    send(stack_url, threaded)
    # Through the request's +token address, with no thread headers at all.
    by_token = mail(sender, "otra cosa", "Y adjunto nada más.")
    del by_token["To"]
    by_token["To"] = got["reply_to"]
    send(stack_url, by_token, sender, got["reply_to"])
    # Someone else naming the request in the subject: a request of their own, nothing appended.
    stranger = address()
    send(stack_url, mail(stranger, f"Re: algo [{number}]", "Quiero ver esa solicitud."))
    theirs = receipt(stack_url, stranger)
    assert number_of(theirs) != number
    assert "Certificado de residencia" not in theirs["text"] + theirs["subject"]

    def messages() -> list[dict[str, Any]]:
        history = staff_ticket(stack_url, agent, number)["history"]
        return [e for e in history if e["action"] == "message"]

    bodies = until(lambda: [m["body"] for m in messages()] if len(messages()) >= 2 else None)
    assert bodies == ["Ya lo encontré, gracias.", "Y adjunto nada más."]
    assert all(m["channel"] == "email" and m["actor"]["kind"] == "citizen" for m in messages())
    other = staff_ticket(stack_url, agent, number_of(theirs))
    assert other["ticket"]["requester"]["email"] == stranger
    # A forged +token address opens a request of its own too.
    forged = got["reply_to"].replace(number, number[:-1] + str((int(number[-1]) + 1) % 10))
    send(stack_url, mail(sender, "x", "Forjado"), sender, forged)
    assert "Forjado" not in [m["body"] for m in messages()]


def test_a_reply_in_a_merged_requests_thread_goes_on_in_the_survivor(
    stack_url: str, agent: dict[str, str]
) -> None:
    sender = address()
    send(stack_url, mail(sender, "Luminaria apagada", "La luminaria del pasaje 3 no enciende."))
    first = receipt(stack_url, sender)
    send(stack_url, mail(sender, "Luminaria pasaje 3", "Sigue apagada la luminaria."))
    second = until(
        lambda: next(
            (e for e in outbox(stack_url, sender) if e is not first and number_of(e) != number_of(first)),
            None,
        )
    )
    old, survivor = number_of(first), number_of(second)
    merged = requests.post(
        f"{stack_url}/api/v1/agent/tickets/{old}/merge", json={"into": survivor}, headers=agent, timeout=30
    )
    assert merged.status_code == 200, merged.text
    # The citizen answers the first receipt, in its thread: the message lands on the survivor.
    send(
        stack_url,
        mail(
            sender,
            f"Re: {first['subject']}",
            "Hoy tampoco encendió.",
            In_Reply_To=first["message_id"],
            References=first["message_id"],
        ),
    )

    def bodies(number: str) -> list[str]:
        history = staff_ticket(stack_url, agent, number)["history"]
        return [e["body"] for e in history if e["action"] == "message" and e.get("channel") == "email"]

    assert until(lambda: "Hoy tampoco encendió." in bodies(survivor) or None)
    assert "Hoy tampoco encendió." not in bodies(old)
    assert (
        len({number_of(e) for e in outbox(stack_url, sender) if "[" in e["subject"]}) == 2
    )  # no third request


def test_robots_duplicates_and_bad_mail_open_nothing(stack_url: str, agent: dict[str, str]) -> None:
    robots = {
        "auto": mail(address(), "Fuera de la oficina", "Vuelvo el lunes", Auto_Submitted="auto-replied"),
        "bulk": mail(address(), "Boletín", "Ofertas", Precedence="bulk"),
        "list": mail(address(), "Lista", "Hola", List_Id="<vecinos.lists.example.cl>"),
    }
    for message in robots.values():
        send(stack_url, message)
    bounce = (
        b"From: MAILER-DAEMON@example.cl\r\nTo: solicitudes@ventanilla.localhost\r\nSubject: Undelivered\r\n"
        b"Message-ID: <b1@example.cl>\r\nContent-Type: multipart/report; report-type=delivery-status; "
        b'boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--b--\r\n'
    )
    send(stack_url, bounce)
    loop_sender = address()
    ours = mail(loop_sender, "Eco", "eco")
    del ours["Message-ID"]
    ours["Message-ID"] = "<v.2026-000001.0123456789abcdef@ventanilla.localhost>"
    send(stack_url, ours)

    # The same Message-ID twice: one request, one receipt.
    twice = address()
    message = mail(twice, "Dos veces", "Llega dos veces")
    send(stack_url, message)
    send(stack_url, message)

    # 8-bit headers and a multipart that never ends: read as well as it can be, a request all the same.
    broken_sender = address()
    broken = (
        f"From: Jos\xe9 <{broken_sender}>\r\nTo: solicitudes@ventanilla.localhost\r\n"
        "Subject: Reclamo \xf1and\xfa sin codificar\r\nMessage-ID: <broken1@example.cl>\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="zzz"\r\n\r\n'
        "--zzz\r\nContent-Type: text/plain; charset=unknown-8bit\r\n\r\nEl agua sale caf\xe9.\r\n"
    ).encode("latin-1")
    send(stack_url, broken, broken_sender)
    # No sender at all: nothing to open, nobody to answer.
    send(stack_url, b"To: solicitudes@ventanilla.localhost\r\nSubject: sin remitente\r\n\r\nhola\r\n")
    # Over the size limit (2 MB in the tests' stacks): a bounce-style answer, no request.
    large_sender = address()
    large = mail(large_sender, "Fotos", "Van las fotos")
    large.add_attachment(
        b"\x00" * 2_200_000, maintype="application", subtype="octet-stream", filename="x.bin"
    )
    send(stack_url, large)

    refused = until(lambda: next(iter(outbox(stack_url, large_sender)), None))
    assert refused["subject"].startswith("No pudimos recibir su correo")
    assert refused["auto_submitted"] == "auto-replied" and "2 MB" in refused["text"]
    assert refused["in_reply_to"] == large["Message-ID"]
    got = receipt(stack_url, broken_sender)
    assert "Reclamo" in got["subject"]
    # Sent twice, handled once: the request has no sibling from that address.
    number = number_of(receipt(stack_url, twice))
    requester = requests.get(
        f"{stack_url}/api/v1/agent/tickets/{number}/requester", headers=agent, timeout=30
    )
    assert requester.json()["other_requests"] == [] and requester.json()["hidden_requests"] == 0
    # The robots' mail was handled before the later mails (the SMTP server answers once the
    # intake ran), whose receipts are out: none of the robots got anything.
    for message in robots.values():
        assert outbox(stack_url, str(message["From"]).split("<")[1].rstrip(">")) == []
    assert outbox(stack_url, loop_sender) == []
    assert outbox(stack_url, large_sender) == [refused]


def test_attachments_go_through_the_same_checks(stack_url: str, agent: dict[str, str]) -> None:
    sender = address()
    message = mail(sender, "Documentos del permiso", "Adjunto el formulario y una foto.")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="formulario.pdf")
    message.add_attachment(
        b"MZ\x90\x00" + b"\x00" * 200, maintype="application", subtype="pdf", filename="foto.pdf"
    )
    send(stack_url, message)
    number = number_of(receipt(stack_url, sender))

    def settled() -> list[dict[str, Any]] | None:
        answer = requests.get(
            f"{stack_url}/api/v1/agent/tickets/{number}/attachments", headers=agent, timeout=30
        )
        items = answer.json()["items"]
        return items if len(items) == 2 and all(i["status"] != "pending" for i in items) else None

    items = {i["filename"]: i for i in until(settled)}
    assert items["formulario.pdf"]["status"] == "available"
    assert items["formulario.pdf"]["uploaded_by"] == "email"
    assert items["foto.pdf"]["status"] == "rejected" and items["foto.pdf"]["reason"] == "type_not_allowed"


def test_an_unverified_sender_is_filed_for_review_with_a_fixed_note(
    stack_url: str, agent: dict[str, str]
) -> None:
    """The SMTP server reports the verdict a mail's X-Ventanilla-Dev-Auth header names (local only;
    PASS by default, as every other test here relies on): FAIL takes the unverified path."""
    sender = address()
    send(
        stack_url,
        mail(sender, "Pague su multa hoy", "Entre a http://phish.example", X_Ventanilla_Dev_Auth="FAIL"),
    )
    note = receipt(stack_url, sender)
    assert note["subject"].startswith("Recibimos un correo a su nombre")
    assert "Pague" not in note["subject"] + note["text"] and "Código de acceso" not in note["text"]
    number = number_of(note)
    ticket = staff_ticket(stack_url, agent, number)
    created = next(e for e in ticket["history"] if e["action"] == "created")
    assert created["data"]["unverified_sender"] == {"dmarc": "FAIL", "spf": "FAIL", "dkim": "FAIL"}
    assert ticket["ticket"]["description"] == "Entre a http://phish.example"
    # A verified mail of the same sender answering the note is added to the request (the real
    # citizen confirms it), and the notifier never sent the receipt of the flagged one.
    send(
        stack_url,
        mail(sender, f"Re: {note['subject']}", "Sí, lo envié yo.", In_Reply_To=note["message_id"]),
    )

    def bodies() -> list[str]:
        history = staff_ticket(stack_url, agent, number)["history"]
        return [e["body"] for e in history if e["action"] == "message"]

    assert until(lambda: bodies() == ["Sí, lo envié yo."] or None)
    assert [e["subject"] for e in outbox(stack_url, sender)] == [note["subject"]]
