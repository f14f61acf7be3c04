"""The fuzz run's own body check: a case is held against the API only when its body really is
valid by the served document (read from the private copy, not the tool's shared one)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.fuzz import hooks

DOCUMENT = {
    "paths": {
        "/api/v1/help/deflections": {
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/In"}}},
                }
            }
        },
        "/api/v1/help/popular": {"get": {}},
    },
    "components": {
        "schemas": {
            "In": {
                "type": "object",
                "properties": {"outcome": {"enum": ["resolved", "contact"]}},
                "required": ["outcome"],
            }
        }
    },
}


class NotSet:
    """The tool's marker for a case without a body (the check tells it by its class name)."""


@pytest.fixture
def document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(DOCUMENT), encoding="utf-8")
    monkeypatch.setenv(hooks.DOCUMENT_ENV, str(path))
    hooks._document.cache_clear()
    yield
    hooks._document.cache_clear()


def _case(path: str, method: str, body: Any) -> Any:
    return SimpleNamespace(operation=SimpleNamespace(path=path), method=method, body=body)


@pytest.mark.usefixtures("document")
@pytest.mark.parametrize(
    ("path", "method", "body", "fits"),
    [
        ("/api/v1/help/deflections", "POST", {"outcome": "resolved"}, True),
        ("/api/v1/help/deflections", "POST", {}, False),  # the tool's fault seen under load
        ("/api/v1/help/deflections", "POST", {"outcome": "other"}, False),
        ("/api/v1/help/deflections", "POST", NotSet(), False),  # a required body missing
        ("/api/v1/help/popular", "GET", NotSet(), True),  # no body declared
        ("/api/v1/nowhere", "GET", NotSet(), False),  # not in the document: not held against the API
    ],
)
def test_a_case_counts_only_when_its_body_fits_the_document(
    path: str, method: str, body: Any, fits: bool
) -> None:
    assert hooks._body_fits_document(_case(path, method, body)) is fits


def test_without_the_private_copy_no_case_is_held_against_the_api(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(hooks.DOCUMENT_ENV, raising=False)
    hooks._document.cache_clear()
    try:
        assert (
            hooks._body_fits_document(_case("/api/v1/help/deflections", "POST", {"outcome": "resolved"}))
            is False
        )
    finally:
        hooks._document.cache_clear()
