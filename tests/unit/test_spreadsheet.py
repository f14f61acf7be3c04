"""CSV exports open in spreadsheets as data, never as formulas (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io

import pytest

from ventanilla import spreadsheet


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://evil.example","clic")', "+56 9 1234", "-2+3", "@SUM(1+1)", "\tx", "\r=1", "=", "-"],
)
def test_a_cell_a_spreadsheet_would_run_is_text(value: str) -> None:
    assert spreadsheet.cell(value) == "'" + value
    assert spreadsheet.read_cell(spreadsheet.cell(value)) == value


@pytest.mark.parametrize(
    "value", ["-33.45", "+1", "-1e5", "2026-12-03", "Luminaria", "", "'ya citado", 12, -3, None]
)
def test_numbers_and_plain_text_stay_as_they_are(value: object) -> None:
    assert spreadsheet.cell(value) == value
    if isinstance(value, str):
        assert spreadsheet.read_cell(value) == value


def test_the_writers_guard_every_cell() -> None:
    out = io.StringIO()
    w = spreadsheet.writer(out, lineterminator="\n")
    w.writerow(["number", "subject"])
    w.writerow(["2026-000021", "=cmd|' /C calc'!A0"])
    d = spreadsheet.dict_writer(out, ["name", "lat"], lineterminator="\n")
    d.writeheader()
    d.writerow({"name": "@SUM(1+1)", "lat": "-33.45"})
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [
        ["number", "subject"],
        ["2026-000021", "'=cmd|' /C calc'!A0"],
        ["name", "lat"],
        ["'@SUM(1+1)", "-33.45"],
    ]
