"""Domain errors. Each maps to one HTTP status and an RFC 9457 problem type, so handlers stay thin."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of the input; ``field`` is a dotted path such as ``form.rut``.

    ``code`` names a message in :mod:`ventanilla.i18n`; the API words it in the caller's language.
    """

    field: str
    code: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclass
class DomainError(Exception):
    """Base class: a client-caused problem the API answers with a 4xx problem document.

    ``code`` names the detail message in :mod:`ventanilla.i18n`, filled with ``params``.
    """

    code: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    errors: list[FieldError] = dataclasses.field(default_factory=list)

    status: ClassVar[int] = 400
    problem: ClassVar[str] = "bad-request"
    title_es: ClassVar[str] = "Solicitud incorrecta"
    title_en: ClassVar[str] = "Bad request"

    def __str__(self) -> str:
        return f"{type(self).__name__}({self.code})"


class BadRequest(DomainError):
    pass


class ValidationFailed(DomainError):
    status = 422
    problem = "validation"
    title_es = "Datos no válidos"
    title_en = "Invalid data"


class Unauthorized(DomainError):
    status = 401
    problem = "unauthorized"
    title_es = "Autenticación requerida"
    title_en = "Authentication required"


class Forbidden(DomainError):
    status = 403
    problem = "forbidden"
    title_es = "Acceso denegado"
    title_en = "Forbidden"


class NotFound(DomainError):
    status = 404
    problem = "not-found"
    title_es = "No encontrado"
    title_en = "Not found"


class Conflict(DomainError):
    status = 409
    problem = "conflict"
    title_es = "Conflicto"
    title_en = "Conflict"


class Gone(DomainError):
    status = 410
    problem = "gone"
    title_es = "Ya no está disponible"
    title_en = "No longer available"


class UnsupportedMediaType(DomainError):
    status = 415
    problem = "unsupported-media-type"
    title_es = "Tipo de contenido no admitido"
    title_en = "Unsupported media type"


class PayloadTooLarge(DomainError):
    status = 413
    problem = "payload-too-large"
    title_es = "Contenido demasiado grande"
    title_en = "Payload too large"


class TooManyRequests(DomainError):
    """Over a rate limit or locked out; ``params['retry_after']`` (seconds) becomes ``Retry-After``."""

    status = 429
    problem = "too-many-requests"
    title_es = "Demasiadas solicitudes"
    title_en = "Too many requests"
