"""The GeoReport v2 wire formats: XML (required by the spec, FixMyStreet reads only it) and JSON
(the spec's mapping: wrapper elements become a top-level array). Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from xml.etree import ElementTree as ET

Format = Literal["json", "xml"]
FORMATS: tuple[Format, ...] = ("json", "xml")
CONTENT_TYPES: dict[Format, str] = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
# Children of these XML elements repeat under one name (the Spark convention's lists).
_ITEM_TAGS = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}


@dataclass
class Open311Error(Exception):
    """One or more ``{code, description}`` errors with the HTTP status (400, 403, 404, 429); a
    description is already in the caller's language or a (Spanish, English) pair."""

    status: int
    description: str | tuple[str, str]
    code: int | None = None
    more: list[tuple[int, str]] = field(default_factory=list)

    def errors(self, lang: str = "es") -> list[tuple[int, str]]:
        text = self.description
        if isinstance(text, tuple):
            text = text[1] if lang == "en" else text[0]
        return [(self.code or self.status, text), *self.more]


def w3c(dt: datetime | None) -> str | None:
    """W3C datetime in UTC with seconds and no fraction: ``2026-05-04T13:15:30Z``."""
    if dt is None:
        return None
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def split_resource(name: str) -> tuple[str, Format] | None:
    """``services.json`` -> (``services``, ``json``); None for another or a missing suffix."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or suffix not in FORMATS:
        return None
    return stem, suffix


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _append(parent: ET.Element, tag: str, value: Any) -> None:
    child = ET.SubElement(parent, tag)
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _append(child, key, inner)
    elif isinstance(value, list | tuple):
        item_tag = _ITEM_TAGS.get(tag, "item")
        for inner in value:
            _append(child, item_tag, inner)
    else:
        child.text = _scalar(value)


def _xml(root: ET.Element) -> str:
    """The document as text (API Gateway sends text bodies as UTF-8, as the declaration says)."""
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def render_list(fmt: Format, root: str, item: str, items: Sequence[Mapping[str, Any]]) -> str | list[Any]:
    """``<root><item>...</item>...</root>`` or a JSON array of objects."""
    if fmt == "json":
        return [dict(i) for i in items]
    element = ET.Element(root)
    for entry in items:
        _append(element, item, entry)
    return _xml(element)


def render_object(fmt: Format, root: str, obj: Mapping[str, Any]) -> str | dict[str, Any]:
    """``<root>...</root>`` or a JSON object (discovery, service definition)."""
    if fmt == "json":
        return dict(obj)
    element = ET.Element(root)
    for key, value in obj.items():
        _append(element, key, value)
    return _xml(element)


def render_errors(fmt: Format, errors: Sequence[tuple[int, str]]) -> str | list[Any]:
    return render_list(fmt, "errors", "error", [{"code": c, "description": d} for c, d in errors])
