"""Messages shown to people, in Spanish (default) and English.

Pydantic's own messages are English only, so validation errors are re-worded here from their
error ``type``; anything unknown falls back to a generic message in the requested language.
"""

from __future__ import annotations

from typing import Any, Literal

Lang = Literal["es", "en"]
DEFAULT_LANG: Lang = "es"

_MESSAGES: dict[str, dict[str, str]] = {
    "missing": {"es": "Este campo es obligatorio.", "en": "This field is required."},
    "string_too_long": {
        "es": "Es demasiado largo (máximo {max_length} caracteres).",
        "en": "Too long (at most {max_length} characters).",
    },
    "string_too_short": {
        "es": "Es demasiado corto (mínimo {min_length} caracteres).",
        "en": "Too short (at least {min_length} characters).",
    },
    "string_type": {"es": "Debe ser un texto.", "en": "Must be a string."},
    "int_parsing": {"es": "Debe ser un número entero.", "en": "Must be a whole number."},
    "int_type": {"es": "Debe ser un número entero.", "en": "Must be a whole number."},
    "float_parsing": {"es": "Debe ser un número.", "en": "Must be a number."},
    "bool_parsing": {"es": "Debe ser verdadero o falso.", "en": "Must be true or false."},
    "bool_type": {"es": "Debe ser verdadero o falso.", "en": "Must be true or false."},
    "literal_error": {"es": "Valor no permitido. Use: {expected}.", "en": "Not allowed. Use: {expected}."},
    "enum": {"es": "Valor no permitido. Use: {expected}.", "en": "Not allowed. Use: {expected}."},
    "extra_forbidden": {"es": "Campo desconocido.", "en": "Unknown field."},
    "dict_type": {"es": "Debe ser un objeto.", "en": "Must be an object."},
    "model_type": {"es": "Debe ser un objeto.", "en": "Must be an object."},
    "list_type": {"es": "Debe ser una lista.", "en": "Must be a list."},
    "too_long": {"es": "Demasiados elementos.", "en": "Too many items."},
    "date_from_datetime_parsing": {"es": "Fecha no válida (AAAA-MM-DD).", "en": "Invalid date (YYYY-MM-DD)."},
    "date_parsing": {"es": "Fecha no válida (AAAA-MM-DD).", "en": "Invalid date (YYYY-MM-DD)."},
    "greater_than_equal": {"es": "Debe ser al menos {ge}.", "en": "Must be at least {ge}."},
    "less_than_equal": {"es": "Debe ser como máximo {le}.", "en": "Must be at most {le}."},
    "string_pattern_mismatch": {"es": "Formato no válido.", "en": "Invalid format."},
    "invalid_email": {"es": "Correo electrónico no válido.", "en": "Invalid email address."},
    "invalid_phone": {
        "es": "Número de teléfono no válido (use el formato {example}).",
        "en": "Invalid phone number (use the format {example}).",
    },
    "invalid_rut": {"es": "RUT no válido.", "en": "Invalid RUT."},
    "unknown_type": {"es": "Tipo de solicitud desconocido.", "en": "Unknown request type."},
    "unknown_subtype": {
        "es": "Subtipo desconocido para este tipo de solicitud.",
        "en": "Unknown subtype for this request type.",
    },
    "unknown_option": {"es": "Opción no válida. Use: {expected}.", "en": "Invalid option. Use: {expected}."},
    "contact_required": {
        "es": "Indique un correo electrónico o un teléfono móvil para avisarle.",
        "en": "Give an email address or a mobile phone so we can notify you.",
    },
    "channel_needs_contact": {
        "es": "Eligió avisos por {channel}, pero no indicó ese dato de contacto.",
        "en": "You chose {channel} notices but did not give that contact.",
    },
    "link_to_itself": {
        "es": "Una solicitud no puede vincularse consigo misma.",
        "en": "A request cannot link to itself.",
    },
    "too_many_links": {
        "es": "La solicitud ya tiene el máximo de vínculos.",
        "en": "The request has the maximum of links.",
    },
    "timezone_required": {
        "es": "Indique la zona horaria de la fecha (por ejemplo, -03:00 o Z).",
        "en": "Give the date's time zone (for example -03:00 or Z).",
    },
    "received_in_future": {
        "es": "La fecha de recepción no puede ser futura.",
        "en": "The received date cannot be in the future.",
    },
    "received_too_old": {
        "es": "La fecha de recepción no puede tener más de {days} días.",
        "en": "The received date cannot be more than {days} days ago.",
    },
    "staff_email_required": {
        "es": "Su perfil no tiene correo: indique el solicitante.",
        "en": "Your profile has no email address: give the requester.",
    },
    "consent_required": {
        "es": "Debe aceptar el aviso de privacidad.",
        "en": "You must accept the privacy notice.",
    },
    "malformed_json": {
        "es": "El cuerpo no es JSON válido: {detail}",
        "en": "The body is not valid JSON: {detail}",
    },
    "body_not_object": {"es": "El cuerpo debe ser un objeto JSON.", "en": "The body must be a JSON object."},
    "json_too_deep": {
        "es": "El JSON anida objetos o listas a más de {limit} niveles.",
        "en": "The JSON nests objects or arrays more than {limit} levels deep.",
    },
    "json_number_too_long": {
        "es": "Un número entero del JSON tiene más de {limit} dígitos.",
        "en": "An integer in the JSON has more than {limit} digits.",
    },
    "json_number_too_large": {
        "es": "Un número del JSON no es finito o supera {limit} en magnitud.",
        "en": "A number in the JSON is not finite or exceeds {limit} in magnitude.",
    },
    "json_string_too_long": {
        "es": "Un texto del JSON supera los {limit} caracteres.",
        "en": "A string in the JSON exceeds {limit} characters.",
    },
    "json_too_many_items": {
        "es": "Un objeto o lista del JSON tiene más de {limit} elementos.",
        "en": "An object or array in the JSON has more than {limit} items.",
    },
    "transition_forbidden": {
        "es": "No se puede pasar de «{from_}» a «{to}».",
        "en": "Cannot move from '{from_}' to '{to}'.",
    },
    "value_error": {"es": "{detail}", "en": "{detail}"},
    "invalid": {"es": "Valor no válido.", "en": "Invalid value."},
}


def pick_lang(accept_language: str | None) -> Lang:
    """The first of es/en named in an Accept-Language header; Spanish when none is."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("en"):
            return "en"
        if tag.startswith("es"):
            return "es"
    return DEFAULT_LANG


def message(code: str, lang: Lang = DEFAULT_LANG, **params: Any) -> str:
    """The message for ``code`` in ``lang``, with ``params`` filled in (missing ones left blank)."""
    entry = _MESSAGES.get(code) or _MESSAGES["invalid"]
    template = entry.get(lang) or entry[DEFAULT_LANG]
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return (_MESSAGES["invalid"])[lang]


_MESSAGES.update(
    {
        "validation_failed": {
            "es": "Revise los campos indicados.",
            "en": "Check the fields listed.",
        },
        "link_not_found": {
            "es": "Estas solicitudes no están vinculadas.",
            "en": "These requests are not linked.",
        },
        "already_linked": {
            "es": "Estas solicitudes ya están vinculadas.",
            "en": "These requests are already linked.",
        },
        "alert_source_not_found": {
            "es": "No hay una fuente de monitoreo con ese nombre.",
            "en": "There is no monitoring source with that name.",
        },
        "bad_signature": {
            "es": "La firma X-Ventanilla-Signature falta o no corresponde al cuerpo.",
            "en": "The X-Ventanilla-Signature signature is missing or does not match the body.",
        },
        "attachment_not_found": {
            "es": "No hay un archivo con ese identificador en esta solicitud.",
            "en": "There is no file with that id on this request.",
        },
        "ticket_not_found": {
            "es": "No hay una solicitud con ese número y código de acceso.",
            "en": "There is no request with that number and access code.",
        },
        "stale_version": {
            "es": "La solicitud cambió mientras la editaba (versión {expected}, ahora {actual}). "
            "Recárguela e intente de nuevo.",
            "en": "The request changed while you were editing it (version {expected}, now {actual}). "
            "Reload it and try again.",
        },
        "token_missing": {
            "es": "Falta el encabezado Authorization: Bearer <token>.",
            "en": "Missing Authorization: Bearer <token> header.",
        },
        "token_invalid": {"es": "Token no válido: {reason}.", "en": "Invalid token: {reason}."},
        "token_expired": {
            "es": "El token expiró; inicie sesión de nuevo.",
            "en": "The token expired; log in again.",
        },
        "role_required": {
            "es": "Su rol no permite esta acción (se requiere: {roles}).",
            "en": "Your role does not allow this (requires: {roles}).",
        },
        "link_used_or_expired": {
            "es": "Este enlace ya se usó o venció. Ingrese su número y código de acceso (están en el "
            "comprobante que le enviamos).",
            "en": "This link was already used or has expired. Enter your number and access code (they "
            "are in the receipt we sent you).",
        },
        "staff_only": {
            "es": "Solo el personal de atención puede indicar «{value}» aquí.",
            "en": "Only service staff may set '{value}' here.",
        },
        "not_your_team_queue": {
            "es": "No puede ver la cola del equipo «{team}»: no es uno de sus equipos.",
            "en": "You cannot see the queue of team '{team}': it is not one of your teams.",
        },
        "not_your_team": {
            "es": "Esta solicitud pertenece al equipo «{team}», que no es suyo.",
            "en": "This request belongs to team '{team}', which is not yours.",
        },
        "reassign_team_not_yours": {
            "es": "No puede traspasar solicitudes al equipo «{team}», que no es suyo.",
            "en": "You cannot hand requests to team '{team}', which is not yours.",
        },
        "reassign_other_team": {
            "es": "Su rol no permite traspasar solicitudes a otro equipo («{team}»).",
            "en": "Your role does not allow handing requests to another team ('{team}').",
        },
        "reassign_to_supervisor": {
            "es": "Su rol no permite asignar solicitudes a supervisión o administración.",
            "en": "Your role does not allow assigning requests to supervisors or admins.",
        },
        "unknown_staff": {
            "es": "No existe un funcionario con ese identificador.",
            "en": "There is no staff member with that id.",
        },
        "ticket_closed": {
            "es": "La solicitud está cerrada; ingrese una nueva solicitud si lo necesita.",
            "en": "The request is closed; file a new request if you need to.",
        },
        "unsupported_media_type": {
            "es": "Envíe el cuerpo como application/json (recibido: {content_type}).",
            "en": "Send the body as application/json (received: {content_type}).",
        },
        "payload_too_large": {
            "es": "El cuerpo supera el máximo de {limit} bytes.",
            "en": "The body exceeds the maximum of {limit} bytes.",
        },
        "idempotency_key_reused": {
            "es": "Esta Idempotency-Key ya se usó con otro contenido.",
            "en": "This Idempotency-Key was already used with a different body.",
        },
        "idempotency_in_progress": {
            "es": "Una solicitud con esta Idempotency-Key está en curso; reintente en unos segundos.",
            "en": "A request with this Idempotency-Key is in progress; retry in a few seconds.",
        },
        "invalid_idempotency_key": {
            "es": "Idempotency-Key debe tener entre 8 y 128 caracteres visibles.",
            "en": "Idempotency-Key must have 8 to 128 visible characters.",
        },
        "invalid_query": {"es": "Parámetro no válido: {detail}", "en": "Invalid parameter: {detail}"},
        "invalid_cursor": {
            "es": "El cursor no es el next_cursor de una página anterior.",
            "en": "The cursor is not the next_cursor of a previous page.",
        },
        "route_not_found": {"es": "Ruta desconocida.", "en": "Unknown route."},
        "open311_notice": {
            "es": "Recibida. Plazo de respuesta: {date}. Le avisaremos por correo o SMS.",
            "en": "Received. We will answer by {date} and let you know by email or SMS.",
        },
        "webhook_not_found": {"es": "No existe ese webhook.", "en": "No such webhook."},
        "webhook_exists": {"es": "Ese webhook ya existe.", "en": "That webhook already exists."},
        "webhook_changed": {
            "es": "Otra persona cambió este webhook; vuelva a cargarlo.",
            "en": "Someone else changed this webhook; reload it.",
        },
        "too_many_webhooks": {
            "es": "Ya hay {max} webhooks; elimine uno antes de crear otro.",
            "en": "There are already {max} webhooks; delete one first.",
        },
        "webhook_url_invalid": {"es": "No es una dirección web válida.", "en": "Not a valid web address."},
        "webhook_url_scheme": {
            "es": "La dirección debe comenzar con https://.",
            "en": "The address must start with https://.",
        },
        "webhook_url_credentials": {
            "es": "La dirección no puede llevar usuario ni contraseña; use el secreto de la firma.",
            "en": "The address cannot carry a user or password; use the signing secret.",
        },
        "webhook_url_unresolvable": {
            "es": "No se encontró ese servidor (DNS).",
            "en": "That host was not found (DNS).",
        },
        "webhook_url_private": {
            "es": "La dirección apunta a una red privada, local o reservada; no se envían webhooks allí.",
            "en": "The address points to a private, loopback or reserved network: no webhooks go there.",
        },
        "api_key_not_found": {"es": "No existe esa clave de API.", "en": "No such API key."},
        "api_key_exists": {"es": "Esa clave de API ya existe.", "en": "That API key already exists."},
        "too_many_api_keys": {
            "es": "Se alcanzó el máximo de {max} claves de API; revoque alguna.",
            "en": "The maximum of {max} API keys has been reached; revoke one.",
        },
        "too_many_api_calls": {
            "es": "La clave superó su límite por minuto; intente de nuevo en {retry_after} s.",
            "en": "The key is over its per-minute limit; try again in {retry_after} s.",
        },
        "throttled": {
            "es": "Demasiadas solicitudes. Intente de nuevo en unos segundos.",
            "en": "Too many requests. Try again in a few seconds.",
        },
        "gateway_rejected": {
            "es": "La solicitud fue rechazada antes de llegar al servicio.",
            "en": "The request was refused before it reached the service.",
        },
        "gateway_timeout": {
            "es": "El servicio tardó demasiado en responder. Intente de nuevo.",
            "en": "The service took too long to answer. Try again.",
        },
        "gateway_error": {
            "es": "El servicio no está disponible en este momento. Intente más tarde.",
            "en": "The service is not available right now. Try again later.",
        },
        "method_not_allowed": {"es": "Método no permitido.", "en": "Method not allowed."},
        "internal": {
            "es": "Ocurrió un error interno. Intente más tarde.",
            "en": "An internal error occurred. Try again later.",
        },
        "too_many_filings": {
            "es": "Se alcanzó el máximo de solicitudes por ahora; intente de nuevo en {wait}.",
            "en": "The limit of requests has been reached for now; try again in {wait}.",
        },
        "rate_limited_client": {
            "es": "Demasiadas solicitudes desde esta conexión.",
            "en": "Too many requests from this connection.",
        },
        "rate_limited_email": {
            "es": "Demasiadas solicitudes con este correo hoy.",
            "en": "Too many requests with this email today.",
        },
        "rate_limited_phone": {
            "es": "Demasiadas solicitudes con este teléfono hoy.",
            "en": "Too many requests with this phone today.",
        },
        "code_locked": {
            "es": "Demasiados intentos con códigos incorrectos para este número; intente de nuevo en {wait}.",
            "en": "Too many wrong codes for this number; try again in {wait}.",
        },
        "token_revoked": {
            "es": "La sesión se cerró; inicie sesión de nuevo.",
            "en": "The session was signed out; sign in again.",
        },
        "number_exhausted": {
            "es": "No se pudo asignar un número a la solicitud; intente de nuevo.",
            "en": "Could not assign a request number; try again.",
        },
    }
)


def has_message(code: str) -> bool:
    return code in _MESSAGES


def register(messages: dict[str, dict[str, str]]) -> None:
    """Add an area's messages (each code with "es" and "en"); areas keep their words beside their code."""
    for code, texts in messages.items():
        if not texts.get("es") or not texts.get("en"):
            raise ValueError(f"message {code} needs both es and en")
        if code in _MESSAGES and _MESSAGES[code] != texts:
            raise ValueError(f"message {code} is already defined differently")
        _MESSAGES[code] = texts


_MESSAGES.update(
    {
        "merge_into_itself": {
            "es": "Una solicitud no puede fusionarse consigo misma.",
            "en": "A request cannot be merged into itself.",
        },
        "merge_not_your_team": {
            "es": "La solicitud {number} es de un equipo que usted no atiende.",
            "en": "Request {number} belongs to a team you do not work in.",
        },
        "merge_into_merged": {
            "es": "La solicitud {number} ya se fusionó en la {into}; fusione en esa.",
            "en": "Request {number} was already merged into {into}; merge into that one.",
        },
        "merge_into_closed": {
            "es": "La solicitud {number} está cerrada; no puede recibir otra.",
            "en": "Request {number} is closed; it cannot take another one.",
        },
        "merge_too_many": {
            "es": "La solicitud {number} ya reúne {max} solicitudes; vincule las demás.",
            "en": "Request {number} already holds {max} requests; link the others.",
        },
        "already_merged": {
            "es": "Esta solicitud ya se fusionó en la {into}.",
            "en": "This request was already merged into {into}.",
        },
        "merge_chain": {
            "es": "Otras solicitudes se fusionaron en esta; fusione las demás en ella.",
            "en": "Other requests were merged into this one; merge the others into it instead.",
        },
        "merge_not_open": {
            "es": "Solo se fusiona una solicitud abierta (esta está «{status}»); vincúlela en su lugar.",
            "en": "Only an open request can be merged (this one is '{status}'); link it instead.",
        },
        "ticket_merged": {
            "es": "Esta solicitud se unió a la {into}; la atendemos allí.",
            "en": "This request was merged into {into}; we handle it there.",
        },
    }
)


def template(code: str, lang: Lang = DEFAULT_LANG) -> str:
    """The unfilled message of ``code`` (pydantic fills its ``{name}`` places from an error's context)."""
    entry = _MESSAGES.get(code) or _MESSAGES["invalid"]
    return entry.get(lang) or entry[DEFAULT_LANG]
