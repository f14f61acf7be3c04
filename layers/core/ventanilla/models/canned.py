"""Canned responses (B8): consistent answers with placeholders, per team and request type."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import Field, field_validator

from ventanilla.models.base import Model
from ventanilla.models.common import Code, Strict

PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)\}")
PLACEHOLDERS: dict[str, dict[str, str]] = {
    "nombre": {"es": "nombre de quien consulta", "en": "requester's name"},
    "numero": {"es": "número de la solicitud", "en": "request number"},
    "fecha_respuesta": {"es": "fecha comprometida de respuesta", "en": "promised response date"},
    "agente": {"es": "nombre del agente", "en": "agent's name"},
    "institucion": {"es": "nombre de la institución", "en": "institution's name"},
}
"""Only these names are replaced; anything else in braces is refused when saved."""


class CannedIn(Strict):
    title: str = Field(min_length=3, max_length=120)
    body: str = Field(min_length=1, max_length=5_000)
    language: Literal["es", "en"] = "es"
    team: Code | None = None
    type_code: Code | None = None
    status: Literal["waiting_citizen", "resolved"] | None = Field(
        default=None, description="the status the request moves to when the agent sends this answer"
    )

    @field_validator("body")
    @classmethod
    def _known_placeholders(cls, body: str) -> str:
        unknown = sorted(set(PLACEHOLDER_RE.findall(body)) - set(PLACEHOLDERS))
        if unknown:
            raise ValueError(f"marcadores desconocidos / unknown placeholders: {', '.join(unknown)}")
        return body


class CannedResponse(CannedIn):
    id: Code
    updated_at: datetime
    updated_by: str


class CannedList(Model):
    items: list[CannedResponse]
    placeholders: dict[str, dict[str, str]] = PLACEHOLDERS


class RenderedCanned(Model):
    id: str
    title: str
    body: str
    status: Literal["waiting_citizen", "resolved"] | None = None


class RenderedCannedList(Model):
    items: list[RenderedCanned]


def fill(body: str, values: dict[str, str]) -> str:
    """Replace the known placeholders; braces that name nothing known stay as typed."""
    return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), body)
