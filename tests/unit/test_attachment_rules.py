"""The attachment checks on bytes: type by content, metadata removal, limits, damaged files."""

from __future__ import annotations

import pytest

from tests.integration.test_attachments import PDF, docx, jpeg_with_gps, png_with_text
from ventanilla.rules import attachments as rules


def test_types_come_from_the_bytes() -> None:
    assert rules.sniff(PDF) == rules.PDF
    assert rules.sniff(docx()) == rules.DOCX
    assert rules.sniff("Señora, adjunto mi reclamo".encode()) == rules.TEXT
    assert rules.sniff("Señora".encode("cp1252")) == rules.TEXT
    for bad in (b"MZ\x90\x00", b"\x7fELF\x02\x01", b"GIF89a\x00\x00", b"PK\x03\x04broken"):
        with pytest.raises(rules.Rejected):
            rules.sniff(bad)


def test_metadata_is_removed_and_the_image_kept() -> None:
    jpeg = rules.check(jpeg_with_gps(), 10_000)
    assert jpeg.stripped and b"GPS" not in jpeg.data and jpeg.data.endswith(b"\xff\xd9")
    png = rules.check(png_with_text(), 10_000)
    assert png.stripped and b"Aromos" not in png.data and png.data.endswith(b"IEND\xaeB`\x82")


def test_damaged_images_are_refused_not_crashed_on() -> None:
    for broken in (jpeg_with_gps()[:30], png_with_text()[:40], b"\xff\xd8\xff\xe1\xff\xff"):
        with pytest.raises(rules.Rejected) as caught:
            rules.check(broken, 10_000)
        assert caught.value.reason == "corrupt_file"


def test_limits() -> None:
    assert rules.within_request_limits(0, 0, rules.MAX_FILE_BYTES) is None
    assert rules.within_request_limits(0, 0, rules.MAX_FILE_BYTES + 1) == "file_too_large"
    assert rules.within_request_limits(5, 1000, 10) == "too_many_files"
    assert rules.within_request_limits(3, 20 * 1024 * 1024, 6 * 1024 * 1024) == "request_too_large"
    with pytest.raises(rules.Rejected):
        rules.check(b"", 10)
    with pytest.raises(rules.Rejected):
        rules.check(PDF, 3)
