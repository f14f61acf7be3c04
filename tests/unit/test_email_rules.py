"""Email intake rules: text of a mail (HTML, quotes, signatures), threads, machine-made mail."""

from __future__ import annotations

import pytest

from ventanilla.rules import email_text, email_thread

KEY = b"k" * 32


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Sigue sin luz el pasaje.\n\nEl lun, 1 dic 2026 a las 10:00, Municipalidad <a@b.cl> escribió:\n> Recibimos",
            "Sigue sin luz el pasaje.",
        ),
        (  # Gmail wraps the attribution over two lines
            "Gracias.\n\nEl lun, 1 dic 2026 a las 10:00, Municipalidad de Valle Verde <\navisos@x.cl>\nescribió:\n> hola",
            "Gracias.",
        ),
        (  # a client without accents
            "Esquina con Las Acacias.\n\nEl jue, 3 dic 2026, Municipalidad escribio:\n> Gracias",
            "Esquina con Las Acacias.",
        ),
        ("Thanks!\n\nOn Mon, Dec 1, 2026 at 10:00 AM Ana <a@b.cl> wrote:\n> old", "Thanks!"),
        (
            "Adjunto la foto.\n\nDe: Municipalidad <a@b.cl>\nEnviado: lunes, 1 de diciembre de 2026\nPara: yo\n\nTexto viejo",
            "Adjunto la foto.",
        ),
        ("Hola\n-----Mensaje original-----\nviejo", "Hola"),
        ("Hola, el árbol cayó.\n\n-- \nJuan Pérez\nVecino", "Hola, el árbol cayó."),
        ("Hola\n\nEnviado desde mi iPhone", "Hola"),
        ("Respuesta arriba\n> citado\n> citado\nmás texto", "Respuesta arriba\nmás texto"),
        ("> todo citado\n> nada propio", "> todo citado\n> nada propio"),  # never empty
        (
            "El camión pasa el martes.\nEl vecino dice que no.",
            "El camión pasa el martes.\nEl vecino dice que no.",
        ),
    ],
)
def test_trim_reply_keeps_what_was_written_this_time(text: str, expected: str) -> None:
    assert email_text.trim_reply(text) == expected


def test_html_becomes_text_with_quotes_marked() -> None:
    html = (
        "<html><head><style>p{color:red}</style></head><body><p>Hola,&nbsp;<b>equipo</b></p>"
        "<div>Línea 2<br>Línea 3</div><ul><li>uno</li><li>dos</li></ul><script>alert(1)</script>"
        "<blockquote>viejo mensaje</blockquote></body></html>"
    )
    text = email_text.html_to_text(html)
    assert text.startswith("Hola, equipo\n")
    assert "Línea 2\nLínea 3" in text and "- uno" in text and "- dos" in text
    assert "alert" not in text and "color" not in text
    assert email_text.trim_reply(text).endswith("- dos")
    assert email_text.html_to_text("<p>roto <b>sin cerrar <div").startswith("roto")


def test_reply_address_is_signed() -> None:
    address = email_thread.reply_address("solicitudes@muni.cl", "2026-000123", KEY)
    assert address.startswith("solicitudes+2026-000123.") and address.endswith("@muni.cl")
    assert email_thread.number_of_address(address, "solicitudes@muni.cl", KEY) == "2026-000123"
    assert email_thread.number_of_address(address.upper(), "solicitudes@muni.cl", KEY) == "2026-000123"
    forged = address.replace("2026-000123", "2026-000124")
    assert email_thread.number_of_address(forged, "solicitudes@muni.cl", KEY) is None
    assert email_thread.number_of_address(address, "solicitudes@muni.cl", b"other" * 8) is None
    assert email_thread.number_of_address("solicitudes@muni.cl", "solicitudes@muni.cl", KEY) is None
    assert (
        email_thread.number_of_address(address.replace("@muni.cl", "@x.cl"), "solicitudes@muni.cl", KEY)
        is None
    )


def test_our_message_ids_and_subjects() -> None:
    mid = email_thread.our_message_id("2026-000123", "muni.cl")
    assert email_thread.number_of_our_id(mid, "muni.cl") == "2026-000123"
    assert email_thread.number_of_our_id(mid, "otro.cl") is None
    assert email_thread.message_ids("<a@b> <c@d>\n <e@f>") == ["a@b", "c@d", "e@f"]
    assert email_thread.message_ids("a@b") == ["a@b"]
    assert email_thread.message_ids(None) == []
    assert email_thread.number_in_subject("RE: Luz [2026-000123]") == "2026-000123"
    assert email_thread.number_in_subject("Luz 2026-000123") is None
    assert email_thread.clean_subject("RE: Fwd: RV: Luz apagada [2026-000123]") == "Luz apagada"


@pytest.mark.parametrize(
    ("headers", "sender", "reason"),
    [
        ({"auto-submitted": "auto-replied"}, "a@b.cl", "auto_submitted"),
        ({"auto-submitted": "no"}, "a@b.cl", None),
        ({"precedence": "bulk"}, "a@b.cl", "precedence"),
        ({"precedence": "Junk"}, "a@b.cl", "precedence"),
        ({"precedence": "list"}, "a@b.cl", "precedence"),
        ({"x-autoreply": "yes"}, "a@b.cl", "auto_reply"),
        ({"list-id": "<vecinos.lists.cl>"}, "a@b.cl", "mailing_list"),
        ({"content-type": "multipart/report; report-type=delivery-status"}, "a@b.cl", "bounce"),
        ({"return-path": "<>"}, "a@b.cl", "bounce"),
        ({}, "MAILER-DAEMON@b.cl", "automatic_sender"),
        ({}, "no-reply@b.cl", "automatic_sender"),
        ({}, "solicitudes@muni.cl", "loop"),
        ({"return-path": "<a@b.cl>"}, "a@b.cl", None),
    ],
)
def test_machine_made_mail_is_recognised(headers: dict[str, str], sender: str, reason: str | None) -> None:
    assert email_thread.automatic_reason(headers, sender, ["solicitudes@muni.cl"]) == reason


def test_the_agent_reads_headers_decoded_and_broken_ones_as_received() -> None:
    from email import policy
    from email.parser import BytesParser

    from ventanilla.services.email_source import _readable

    raw = b"Subject: =?utf-8?q?=C3=81rbol_ca=C3=ADdo?= en plaza\r\nReferences: <a@b>\r\n <c@d>\r\nX-Bad: caf\xe9\r\n\r\n"
    parsed = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
    read = {name: _readable(parsed, name, value) for name, value in parsed.raw_items()}
    assert read == {"Subject": "Árbol caído en plaza", "References": "<a@b> <c@d>", "X-Bad": "caf\ufffd"}
