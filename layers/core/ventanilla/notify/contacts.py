"""Normalise the contact data notices are sent to, so one person is one phone and one address."""

from __future__ import annotations

import re

from ventanilla.notify.errors import NotifyError

_PHONE_CHARS = re.compile(r"^[0-9+()\-. /]+$")
_LOCAL_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$")
_LABEL_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


EXAMPLE_PHONE = "+56 9 6123 4567"
"""The mobile number every message and form hint shows (a test runs each one through the validator).
Not phonenumbers' own example for CL: that one is a Santiago landline shape (+56 2 2123 4567)."""


def example_phone() -> str:
    """The example number error messages show; :func:`normalize_phone` accepts it."""
    return EXAMPLE_PHONE


def _phone_error(code: str, es: str, en: str) -> NotifyError:
    example = example_phone()
    return NotifyError(code, f"{es} Use el formato {example}.", f"{en} Use the format {example}.")


def normalize_phone(raw: str, default_region: str = "CL") -> str:
    """The mobile number ``raw`` in E.164 (``+56912345678``), for SMS and for finding a citizen again.

    Numbers without ``+`` are read as national numbers of ``default_region``. Only numbers that can
    receive SMS are accepted (mobile, or fixed-or-mobile where the plan cannot tell them apart).
    """
    text = (raw or "").strip()
    if not text:
        raise _phone_error("phone_empty", "Falta el número de teléfono.", "The phone number is missing.")
    if len(text) > 32 or not _PHONE_CHARS.match(text):
        raise _phone_error(
            "phone_invalid",
            "El teléfono solo puede tener dígitos, espacios, guiones, paréntesis y un + inicial.",
            "The phone may only contain digits, spaces, hyphens, brackets and a leading +.",
        )
    import phonenumbers  # lazy: ~0.1 s of metadata, only for the routes that take a phone

    try:
        number = phonenumbers.parse(text, default_region.upper())
    except phonenumbers.NumberParseException as exc:
        raise _phone_error(
            "phone_invalid", "No se reconoce el número de teléfono.", "The phone number is not recognised."
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise _phone_error(
            "phone_invalid",
            "El número de teléfono no es válido para su país.",
            "The phone number is not valid for its country.",
        )
    sms_capable = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
    if phonenumbers.number_type(number) not in sms_capable:
        raise _phone_error(
            "phone_not_mobile",
            "El número no es un teléfono móvil y no puede recibir SMS.",
            "The number is not a mobile phone and cannot receive SMS.",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _email_error(code: str, es: str, en: str) -> NotifyError:
    return NotifyError(code, f"Correo electrónico no válido: {es}", f"Invalid email address: {en}")


def normalize_email(raw: str) -> str:
    """``raw`` trimmed and checked, with the domain lowercased (the local part keeps its case).

    Deliberately simpler than RFC 5322: no quoted local parts or comments, which people do not type
    and SES handles badly. Internationalised domains are returned in ASCII (punycode).
    """
    text = (raw or "").strip()
    if not text:
        raise _email_error("email_empty", "está vacío.", "it is empty.")
    if len(text) > 254:
        raise _email_error(
            "email_too_long", "tiene más de 254 caracteres.", "it is longer than 254 characters."
        )
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in text):
        raise _email_error("email_spaces", "no puede tener espacios.", "it cannot contain spaces.")
    if text.count("@") != 1:
        raise _email_error("email_at", "debe tener exactamente una @.", "it must contain exactly one @.")
    local, domain = text.split("@")
    if not local or len(local) > 64:
        raise _email_error(
            "email_local",
            "la parte antes de la @ debe tener entre 1 y 64 caracteres.",
            "the part before the @ must have 1 to 64 characters.",
        )
    if not _LOCAL_RE.match(local) or local.startswith(".") or local.endswith(".") or ".." in local:
        raise _email_error(
            "email_local",
            "la parte antes de la @ tiene caracteres no permitidos.",
            "the part before the @ has characters that are not allowed.",
        )
    try:
        ascii_domain = domain.lower().encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise _email_error("email_domain", "el dominio no es válido.", "the domain is not valid.") from exc
    labels = ascii_domain.split(".")
    if len(labels) < 2:
        raise _email_error(
            "email_domain",
            "el dominio debe tener un punto (ejemplo: correo@municipio.cl).",
            "the domain must contain a dot (example: name@city.gov).",
        )
    tld = labels[-1]
    if not all(_LABEL_RE.match(label) for label in labels) or not (tld.isalpha() or tld.startswith("xn--")):
        raise _email_error("email_domain", "el dominio no es válido.", "the domain is not valid.")
    result = f"{local}@{ascii_domain}"
    if len(result) > 254:
        raise _email_error(
            "email_too_long", "tiene más de 254 caracteres.", "it is longer than 254 characters."
        )
    return result
