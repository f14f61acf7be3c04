"""Attachments (B6, B10) through the API, S3 (moto) and the checker function fed by the bucket's
ObjectCreated notifications on its queue: declare, upload with the presigned POST, check, list,
download; bad files refused with the reason, limits held, nothing leaked across requests."""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from typing import Any

import pytest
import requests

from tests.conftest import Aws, post, ticket_body
from tests.integration.test_notifications import poller

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def jpeg_with_gps() -> bytes:
    exif = b"Exif\x00\x00MM\x00*\x00\x00\x00\x08GPSLatitude-33.45;GPSLongitude-70.66"
    app1 = b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sos = b"\xff\xda" + struct.pack(">H", 8) + b"\x01\x01\x00\x00\x3f\x00" + b"\x12\x34\x56" + b"\xff\xd9"
    return b"\xff\xd8" + app0 + app1 + sos


def png_with_text() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"tEXt", b"Location\x00Av. Los Aromos 123")
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\x00" * (150 * 1024 * 1024))
    return buffer.getvalue()


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>Hola</w:document>")
    return buffer.getvalue()


@pytest.fixture()
def filed(api: Any) -> dict[str, Any]:
    body = ticket_body(type="consulta", subtype="general", form={})
    response = post(api, "/api/v1/tickets", body)
    assert response.status_code == 201, response.body
    return dict(response.json_body)


def declare(api: Any, t: dict[str, Any], filename: str, content_type: str, size: int) -> Any:
    return post(
        api,
        f"/api/v1/tickets/{t['number']}/attachments",
        {"filename": filename, "content_type": content_type, "size": size},
        {"X-Access-Code": t["access_code"]},
    )


def upload(slot: dict[str, Any], data: bytes, name: str = "file") -> requests.Response:
    return requests.post(
        slot["upload"]["url"], data=slot["upload"]["fields"], files={"file": (name, data)}, timeout=30
    )


def check(aws: Aws) -> None:
    poller(aws, "AttachmentsFunction", "Uploads").drain(timeout=60)


def listing(api: Any, t: dict[str, Any]) -> dict[str, dict[str, Any]]:
    response = api.get(
        f"/api/v1/tickets/{t['number']}/attachments", headers={"X-Access-Code": t["access_code"]}
    )
    assert response.status_code == 200, response.body
    return {a["filename"]: a for a in response.json_body["items"]}


def send(
    api: Any, aws: Aws, t: dict[str, Any], filename: str, content_type: str, data: bytes
) -> dict[str, Any]:
    answer = declare(api, t, filename, content_type, len(data))
    assert answer.status_code == 201, answer.body
    assert answer.json_body["attachment"]["status"] == "pending"
    assert upload(answer.json_body, data).status_code in (200, 201, 204)
    check(aws)
    return listing(api, t)[filename]


def test_citizen_uploads_a_pdf_and_both_sides_download_it(api: Any, aws: Aws, filed: dict[str, Any]) -> None:
    got = send(api, aws, filed, "certificado.pdf", "application/pdf", PDF)
    assert got["status"] == "available" and got["content_type"] == "application/pdf"
    number, aid = filed["number"], got["attachment_id"]
    link = api.get(
        f"/api/v1/tickets/{number}/attachments/{aid}", headers={"X-Access-Code": filed["access_code"]}
    )
    assert link.status_code == 200
    downloaded = requests.get(link.json_body["url"], timeout=30)
    assert downloaded.status_code == 200 and downloaded.content == PDF
    assert "certificado.pdf" in downloaded.headers.get("Content-Disposition", "")
    staff = api.get(f"/api/v1/agent/tickets/{number}/attachments/{aid}", headers=aws.auth("ana.l1"))
    assert staff.status_code == 200 and requests.get(staff.json_body["url"], timeout=30).content == PDF
    # The history says a file was added; the citizen's timeline shows it.
    view = api.get(f"/api/v1/tickets/{number}", headers={"X-Access-Code": filed["access_code"]}).json_body
    assert any(e["action"] == "attachment" and e["body"] == "certificado.pdf" for e in view["timeline"])


def test_image_metadata_is_removed(api: Any, aws: Aws, filed: dict[str, Any]) -> None:
    for name, kind, data in (
        ("foto.jpg", "image/jpeg", jpeg_with_gps()),
        ("plano.png", "image/png", png_with_text()),
    ):
        got = send(api, aws, filed, name, kind, data)
        assert got["status"] == "available" and got["metadata_removed"] is True, got
        link = api.get(
            f"/api/v1/tickets/{filed['number']}/attachments/{got['attachment_id']}",
            headers={"X-Access-Code": filed["access_code"]},
        ).json_body["url"]
        kept = requests.get(link, timeout=30).content
        assert b"GPS" not in kept and b"Aromos" not in kept and kept[:4] == data[:4]
        assert len(kept) < len(data)


def test_the_real_type_is_read_from_the_bytes(api: Any, aws: Aws, filed: dict[str, Any]) -> None:
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
    got = send(api, aws, filed, "factura.pdf", "application/pdf", exe)
    assert got["status"] == "rejected" and got["reason"] == "type_not_allowed"
    assert "PDF" in got["reason_text"] and "permitido" in got["reason_text"]
    link = api.get(
        f"/api/v1/tickets/{filed['number']}/attachments/{got['attachment_id']}",
        headers={"X-Access-Code": filed["access_code"]},
    )
    assert link.status_code == 409
    # A Word document declared as a PDF is a Word document.
    word = send(api, aws, filed, "carta.pdf", "application/pdf", docx())
    assert word["status"] == "available" and word["content_type"].endswith("wordprocessingml.document")


def test_a_zip_bomb_is_refused_without_inflating_it(api: Any, aws: Aws, filed: dict[str, Any]) -> None:
    bomb = zip_bomb()
    assert len(bomb) < 1024 * 1024
    kind = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    got = send(api, aws, filed, "bomba.docx", kind, bomb)
    assert got["status"] == "rejected" and got["reason"] == "zip_bomb"


def test_limits_are_declared_and_enforced(api: Any, aws: Aws, filed: dict[str, Any]) -> None:
    big = declare(api, filed, "grande.pdf", "application/pdf", 10 * 1024 * 1024 + 1)
    assert big.status_code == 422 and "size" in big.body.decode()
    bad_type = declare(api, filed, "virus.exe", "application/x-msdownload", 100)
    assert bad_type.status_code == 422 and "content_type" in bad_type.body.decode()
    bad_name = declare(api, filed, "../../etc/passwd", "text/plain", 100)
    assert bad_name.status_code == 422 and "filename" in bad_name.body.decode()
    for i in range(5):
        assert declare(api, filed, f"doc{i}.pdf", "application/pdf", 1000).status_code == 201
    sixth = declare(api, filed, "doc5.pdf", "application/pdf", 1000)
    assert sixth.status_code == 422
    assert "máximo de 5 archivos" in json.dumps(sixth.json_body, ensure_ascii=False)


def test_a_file_larger_than_declared_is_refused(api: Any, aws: Aws, filed: dict[str, Any]) -> None:
    answer = declare(api, filed, "nota.txt", "text/plain", 10).json_body
    response = upload(answer, b"x" * 5000)
    if response.status_code < 300:  # S3 refuses it by the policy; if the upload got through, the checker does
        check(aws)
        got = listing(api, filed)["nota.txt"]
        assert got["status"] == "rejected" and got["reason"] == "size_mismatch"
    else:
        assert listing(api, filed)["nota.txt"]["status"] == "pending"


def test_nobody_reaches_another_requests_files(api: Any, aws: Aws, filed: dict[str, Any]) -> None:
    got = send(api, aws, filed, "privado.txt", "text/plain", b"Mi RUT es 12.345.678-5")
    other = post(api, "/api/v1/tickets", ticket_body(type="consulta", subtype="general", form={})).json_body
    cross = api.get(
        f"/api/v1/tickets/{other['number']}/attachments/{got['attachment_id']}",
        headers={"X-Access-Code": other["access_code"]},
    )
    assert cross.status_code == 404
    wrong_code = api.get(
        f"/api/v1/tickets/{filed['number']}/attachments", headers={"X-Access-Code": other["access_code"]}
    )
    assert wrong_code.status_code == 404
    # Staff outside the request's team: 403 (ana.l1 is atencion; a tecnico request is not hers).
    tech = post(
        api,
        "/api/v1/tickets",
        ticket_body(
            type="soporte-interno", subtype="equipos", form={"unidad": "TI"}, requester={"kind": "internal"}
        ),
        aws.auth("carla.supervisora"),
    )
    assert tech.status_code == 201, tech.body
    assert (
        api.get(
            f"/api/v1/agent/tickets/{tech.json_body['number']}/attachments", headers=aws.auth("ana.l1")
        ).status_code
        == 403
    )
    staff_slot = post(
        api,
        f"/api/v1/agent/tickets/{filed['number']}/attachments",
        {"filename": "respuesta.pdf", "content_type": "application/pdf", "size": len(PDF)},
        aws.auth("ana.l1"),
    )
    assert staff_slot.status_code == 201
    assert upload(staff_slot.json_body, PDF).status_code < 300
    check(aws)
    staff_list = api.get(f"/api/v1/agent/tickets/{filed['number']}/attachments", headers=aws.auth("ana.l1"))
    by_name = {a["filename"]: a for a in staff_list.json_body["items"]}
    assert (
        by_name["respuesta.pdf"]["status"] == "available"
        and by_name["respuesta.pdf"]["uploaded_by"] == "staff"
    )
