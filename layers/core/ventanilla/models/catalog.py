"""The catalog of request types ("clases de origen") with subtypes and per-subtype form fields (B2)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ventanilla.models.base import Model
from ventanilla.models.common import Code, Text
from ventanilla.rules.priority import Level

FieldKind = Literal["text", "textarea", "email", "phone", "number", "date", "select", "rut", "checkbox"]
Audience = Literal["external", "internal"]
Tier = Literal["L1", "L2", "L3"]


class Option(Model):
    value: Code
    label: Text


class FormField(Model):
    """One field of a subtype's form; the same definition drives the web form and the API check."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    label: Text
    kind: FieldKind = "text"
    required: bool = False
    max_length: int = Field(default=500, ge=1, le=10_000)
    options: list[Option] = Field(default_factory=list)
    help: Text | None = None

    @model_validator(mode="after")
    def _select_has_options(self) -> FormField:
        if self.kind == "select" and not self.options:
            raise ValueError(f"field {self.name}: a select needs options")
        return self


class ResponseTargets(Model):
    """Service level targets of a subtype, in business hours and business days of the calendar."""

    first_response_hours: float = Field(default=16, gt=0, le=2000)
    resolution_days: int = Field(default=10, ge=1, le=365)


class Subtype(Model):
    code: Code
    name: Text
    description: Text | None = None
    fields: list[FormField] = Field(default_factory=list, max_length=30)
    impact: Level = "medium"
    urgency: Level = "medium"
    team: Code
    tier: Tier = "L1"
    targets: ResponseTargets = Field(default_factory=ResponseTargets)
    legal_kind: str | None = None
    """Key of a regulated deadline (B9), e.g. ``CL/acceso-informacion``; None when unregulated."""


class RequestType(Model):
    code: Code
    name: Text
    description: Text | None = None
    audiences: list[Audience] = Field(default=["external", "internal"])
    subtypes: list[Subtype] = Field(min_length=1)
    order: int = 0

    def subtype(self, code: str) -> Subtype | None:
        return next((s for s in self.subtypes if s.code == code), None)


class Team(Model):
    code: Code
    name: Text
    tiers: list[Tier] = Field(default=["L1"])
