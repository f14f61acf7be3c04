"""POST requests: a civic app files a request for a citizen with a form-encoded body.

Choices where the spec leaves room: attributes the service does not define are ignored (FixMyStreet
sends its own, such as ``title`` and ``report_url``), except ``title``, which becomes the subject;
an email or a phone is required, since Ventanilla answers the citizen there; HTML in the
description is refused rather than stripped; the request is filed at once (``realtime``: no tokens).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from pydantic import ValidationError

from ventanilla.errors import DomainError, FieldError, TooManyRequests
from ventanilla.i18n import Lang, message
from ventanilla.models.api_keys import ApiKey
from ventanilla.models.catalog import FormField
from ventanilla.models.common import Channel
from ventanilla.models.places import LocationIn
from ventanilla.models.ticket import CreateTicketIn, FormValue
from ventanilla.notify.contacts import normalize_email, normalize_phone
from ventanilla.open311.services import Service, find, from_location
from ventanilla.open311.wire import Open311Error
from ventanilla.services import intake_guard, tickets

MAX_DESCRIPTION = 4000
MAX_MEDIA_URL = 2000
_ATTRIBUTE = re.compile(r"^attribute\[([^\]]{1,60})\](\[\])?$")
_HTML = re.compile(r"<\s*[a-zA-Z/!?]")
_TRUE = {"true", "1", "yes", "si", "sí", "on"}
_FALSE = {"false", "0", "no", "off"}


def parse_form(raw: bytes, max_fields: int = 200) -> dict[str, list[str]]:
    """A form-encoded body as name -> values (repeated names keep every value, in order)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Open311Error(400, ("el cuerpo no es UTF-8", "the body is not UTF-8")) from error
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False, max_num_fields=max_fields)
    except ValueError as error:
        raise Open311Error(
            400, (f"demasiados campos (máximo {max_fields})", f"too many form fields (at most {max_fields})")
        ) from error
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name, []).append(value)
    return out


def one(form: dict[str, list[str]], name: str) -> str | None:
    """The first value of ``name``; an empty value is the same as none (spec, Optional Arguments)."""
    values = [v.strip() for v in form.get(name, []) if v.strip()]
    return values[0] if values else None


def attributes(form: dict[str, list[str]]) -> dict[str, list[str]]:
    """``attribute[code]=v`` and ``attribute[code][]=v1&...`` grouped by code."""
    out: dict[str, list[str]] = {}
    for name, values in form.items():
        match = _ATTRIBUTE.match(name)
        if match:
            out.setdefault(match.group(1), []).extend(v for v in values if v.strip())
    return out


def _value(f: FormField, values: Sequence[str]) -> tuple[FormValue | None, str | None]:
    if len(values) > 1:
        return None, "one"
    raw = values[0].strip()
    if f.kind == "number":
        try:
            number = float(raw.replace(",", ".")) if raw.lower() not in ("nan", "inf", "-inf") else None
        except ValueError:
            number = None
        if number is None:
            return None, "number"
        return (int(number) if number.is_integer() else number), None
    if f.kind == "checkbox":
        if raw.lower() in _TRUE:
            return True, None
        if raw.lower() in _FALSE:
            return False, None
        return None, "bool"
    if f.kind == "date":
        try:
            return date.fromisoformat(raw[:10]).isoformat() if len(raw) <= 10 else _date_of(raw), None
        except ValueError:
            return None, "date"
    return raw, None


def _date_of(raw: str) -> str:
    return datetime.fromisoformat(raw.replace("Z", "+00:00")).date().isoformat()


_PROBLEMS = {
    "one": ("admite un solo valor", "takes one value"),
    "number": ("debe ser un número", "must be a number"),
    "bool": ("debe ser true o false", "must be true or false"),
    "date": ("debe ser una fecha W3C", "must be a W3C date or datetime"),
}


def form_values(
    service: Service, given: dict[str, list[str]], lang: Lang = "es", location: LocationIn | None = None
) -> dict[str, FormValue]:
    """The defined attributes as form values (the catalog's checks run in create_ticket); an
    address field the client did not send is the request's standard location."""
    out: dict[str, FormValue] = {}
    problems: list[tuple[int, str]] = []
    for f in service.subtype.fields:
        values = given.get(f.name) or []
        if not values and location is not None and from_location(f):
            values = [_place(location)[: f.max_length]]
        if not values:
            continue
        value, problem = _value(f, values)
        if problem:
            words = _PROBLEMS[problem][1 if lang == "en" else 0]
            problems.append((400, f"attribute[{f.name}]: {words}"))
        elif value is not None:
            out[f.name] = value
    if problems:
        raise Open311Error(400, problems[0][1], more=problems[1:])
    return out


def _place(location: LocationIn) -> str:
    if location.address:
        return location.address
    return f"{location.lat:.6f}, {location.long:.6f}"


def _location(form: dict[str, list[str]]) -> LocationIn:
    lat, long = one(form, "lat"), one(form, "long")
    address = one(form, "address_string")
    address_id = one(form, "address_id")
    if address is None and address_id and not address_id.startswith("#"):
        address = f"address_id {address_id}"  # the jurisdiction's master-address id, kept as given
    if (lat is None) != (long is None):
        raise Open311Error(400, ("lat y long van juntas", "lat and long must be sent together"))
    if lat is None and address is None:
        raise Open311Error(
            400,
            (
                "falta la ubicación (location): lat y long, address_string o address_id",
                "a location is required: lat and long, address_string or address_id",
            ),
        )
    try:
        point = (float(lat), float(long)) if lat is not None and long is not None else (None, None)
    except ValueError as error:
        raise Open311Error(
            400, ("lat y long deben ser grados decimales WGS84", "lat and long must be WGS84 decimal degrees")
        ) from error
    try:
        return LocationIn(lat=point[0], long=point[1], address=address[:400] if address else None)
    except ValidationError as error:
        where = ", ".join(str(e["loc"][0]) if e["loc"] else "location" for e in error.errors())
        ranges = "lat ∈ [-90, 90], long ∈ [-180, 180]"
        raise Open311Error(
            400, (f"ubicación no válida ({where}): {ranges}", f"invalid location ({where}): {ranges}")
        ) from error


def _media_url(form: dict[str, list[str]]) -> str | None:
    url = one(form, "media_url")
    if url is None:
        return None
    parts = urlsplit(url)
    if len(url) > MAX_MEDIA_URL or parts.scheme not in ("http", "https") or not parts.netloc:
        raise Open311Error(400, ("media_url debe ser una URL http(s)", "media_url must be an http(s) URL"))
    return url


def _requester(form: dict[str, list[str]], lang: Lang, client: ApiKey) -> dict[str, Any]:
    email, phone = one(form, "email"), one(form, "phone")
    if email is None and phone is None:
        raise Open311Error(
            400,
            (
                "falta email o phone: ahí se responde al vecino",
                "email or phone is required: the citizen is answered there",
            ),
        )
    try:
        email = normalize_email(email) if email else None
    except ValueError as error:
        raise Open311Error(400, ("email no es un correo válido", "email is not a valid address")) from error
    try:
        phone = normalize_phone(phone) if phone else None
    except ValueError as error:
        raise Open311Error(
            400,
            (
                "phone no es un número válido (formato internacional: +56 9 ...)",
                "phone is not a valid number (international format: +56 9 ...)",
            ),
        ) from error
    name = " ".join(p for p in (one(form, "first_name"), one(form, "last_name")) if p)[:120]
    if len(name) < 2:
        name = f"Vecino/a ({client.name})"[:120] if lang == "es" else f"Resident ({client.name})"[:120]
    return {
        "name": name,
        "email": email,
        "phone": phone,
        "language": lang,
        "channels": ["email"] if email else ["sms"],
        "kind": "external",
        "consent": True,  # the citizen accepted the app's terms to send it
    }


def _subject(given: dict[str, list[str]], description: str, fallback: str) -> str:
    """FixMyStreet's ``attribute[title]``, else the description's first line, else the service."""
    titles = given.get("title") or []
    title = titles[0] if titles else (description.splitlines()[0] if description else "")
    title = " ".join(title.split())
    if len(title) > 200:
        title = title[:199] + "…"
    return title if len(title) >= 3 else fallback[:200]


def file_request(form: dict[str, list[str]], client: ApiKey, lang: Lang) -> dict[str, Any]:
    """File the request; the answer's one ``request`` (service_request_id and service_notice)."""
    code = one(form, "service_code")
    if code is None:
        raise Open311Error(400, ("falta service_code", "service_code is required"))
    service = find(code)
    description = (one(form, "description") or "").replace("\r\n", "\n")
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(
            400,
            (
                f"description supera los {MAX_DESCRIPTION} caracteres",
                f"description is longer than {MAX_DESCRIPTION} characters",
            ),
        )
    if _HTML.search(description):
        raise Open311Error(
            400, ("description no puede contener HTML ni código", "description may not contain HTML or code")
        )
    location = _location(form)
    given = attributes(form)
    values = form_values(service, given, lang, location)
    requester = _requester(form, lang, client)
    service_name = service.subtype.name.in_lang(lang)
    body = CreateTicketIn.model_validate(
        {
            "type": service.rtype.code,
            "subtype": service.subtype.code,
            "subject": _subject(given, description, service_name),
            "description": description or service_name,
            "form": values,
            "requester": requester,
            "channel": Channel.API,
            "location": location.model_dump(),
        }
    )
    try:
        filing = intake_guard.check_filing(None, requester["email"], requester["phone"])
        created = tickets.create_ticket(body, api_client=client.id, media_url=_media_url(form))
        intake_guard.count_filing(filing)
    except TooManyRequests as error:
        raise Open311Error(429, message(error.code, lang, **error.params)) from error
    except DomainError as error:
        raise Open311Error(400, *_described(error, lang)) from error
    notice = message("open311_notice", lang, date=created.resolution_due.date().isoformat())
    return {"service_request_id": created.number, "service_notice": notice, "account_id": None}


def _described(error: DomainError, lang: Lang) -> tuple[str, int | None, list[tuple[int, str]]]:
    """A domain error's field errors as Open311 errors, each naming the form field it came from."""
    lines = [_field_line(e, lang) for e in error.errors] or [message(error.code, lang, **error.params)]
    return lines[0], None, [(400, line) for line in lines[1:]]


_FIELD_NAMES = {"requester.email": "email", "requester.phone": "phone", "requester.name": "first_name"}


def _field_line(e: FieldError, lang: Lang) -> str:
    name = e.field
    if name.startswith("form."):
        name = f"attribute[{name.removeprefix('form.')}]"
    elif name.startswith("location"):
        name = "lat/long/address_string"
    name = _FIELD_NAMES.get(name, name)
    return f"{name}: {message(e.code, lang, **e.params)}"
