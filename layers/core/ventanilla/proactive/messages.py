"""Messages of the proactive service (registered with ventanilla.i18n when imported)."""

from __future__ import annotations

from ventanilla.i18n import register

register(
    {
        "area_upload_invalid": {
            "es": "Hay sectores que no se pueden cargar; vea cada error.",
            "en": "Some sectors cannot be loaded; see each error.",
        },
        "area_overlap": {
            "es": "Hay sectores que se superponen; cada punto debe pertenecer a un solo sector.",
            "en": "Some sectors overlap; each point must belong to one sector only.",
        },
        "area_overlaps": {
            "es": "El sector {name} se superpone con {other}.",
            "en": "Sector {name} overlaps {other}.",
        },
        "area_code_repeated": {"es": "El código {name} está repetido.", "en": "Code {name} is repeated."},
        "area_geometry_type": {
            "es": "La geometría debe ser Polygon o MultiPolygon (es {detail}).",
            "en": "The geometry must be a Polygon or MultiPolygon (it is {detail}).",
        },
        "area_geometry_invalid": {
            "es": "Geometría no válida: {detail}.",
            "en": "Invalid geometry: {detail}.",
        },
        "area_geometry_bounds": {
            "es": "Las coordenadas deben ser [longitud, latitud] en WGS84: {detail}.",
            "en": "Coordinates must be [longitude, latitude] in WGS84: {detail}.",
        },
        "area_geometry_vertices": {
            "es": "Demasiados vértices ({detail}); simplifique el polígono.",
            "en": "Too many vertices ({detail}); simplify the polygon.",
        },
        "area_too_large": {
            "es": "El sector es demasiado extenso para ser un sector ({detail} celdas).",
            "en": "The sector is too large to be a sector ({detail} cells).",
        },
        "area_not_found": {"es": "No existe el sector {name}.", "en": "There is no sector {name}."},
        "area_no_sector": {
            "es": "El punto ({lat}, {long}) no está en ningún sector de la institución.",
            "en": "The point ({lat}, {long}) lies in none of the institution's sectors.",
        },
        "sub_topic_unknown": {"es": "No existe el tema {name}.", "en": "There is no topic {name}."},
        "sub_topic_not_found": {"es": "No existe el tema {name}.", "en": "There is no topic {name}."},
        "subscription_not_found": {
            "es": "No encontramos esa suscripción (revise el enlace).",
            "en": "We could not find that subscription (check the link).",
        },
        "sub_token_invalid": {
            "es": "El enlace de confirmación no es válido, ya se usó o venció.",
            "en": "The confirmation link is invalid, already used or expired.",
        },
        "sub_code_wrong": {"es": "El código no es correcto.", "en": "The code is not correct."},
        "sub_code_attempts": {
            "es": "Demasiados intentos con el código; suscríbase de nuevo mañana.",
            "en": "Too many tries of the code; subscribe again tomorrow.",
        },
        "sub_email_refused": {
            "es": "No podemos enviar correos a esa dirección.",
            "en": "We cannot send email to that address.",
        },
        "sub_phone_refused": {
            "es": "No podemos enviar SMS a ese número.",
            "en": "We cannot send SMS to that number.",
        },
        "campaign_not_found": {"es": "No existe la campaña {id}.", "en": "There is no campaign {id}."},
        "service_alert_not_found": {"es": "No existe el aviso {id}.", "en": "There is no alert {id}."},
        "service_alert_closed": {
            "es": "El aviso {id} ya está cerrado (servicio restablecido).",
            "en": "Alert {id} is closed already (service restored).",
        },
        "service_alert_changed": {
            "es": "El aviso {id} cambió mientras tanto; vuelva a cargarlo.",
            "en": "Alert {id} changed meanwhile; reload it.",
        },
        "service_alert_too_many_updates": {
            "es": "Un aviso admite como máximo {limit} actualizaciones.",
            "en": "An alert takes at most {limit} updates.",
        },
        "too_many_subscriptions": {
            "es": "Se alcanzó el máximo de suscripciones por ahora; intente de nuevo en {wait}.",
            "en": "The limit of subscriptions has been reached for now; try again in {wait}.",
        },
        "sub_rate_limited_client": {
            "es": "Demasiadas suscripciones desde esta conexión.",
            "en": "Too many subscriptions from this connection.",
        },
        "sub_rate_limited_email": {
            "es": "Demasiadas suscripciones con este correo hoy.",
            "en": "Too many subscriptions with this email today.",
        },
        "sub_rate_limited_phone": {
            "es": "Demasiadas suscripciones con este teléfono hoy.",
            "en": "Too many subscriptions with this phone today.",
        },
        "sub_phone_country": {
            "es": "No enviamos SMS a números de ese país; use un número local o un correo.",
            "en": "We do not send SMS to numbers in that country; use a local number or an email.",
        },
        "sub_sms_cap": {
            "es": "Hoy no se pueden enviar más códigos por SMS; intente mañana o use un correo.",
            "en": "No more SMS codes can be sent today; try tomorrow or use an email.",
        },
        "sub_sms_cap_number": {
            "es": "Este teléfono ya recibió el máximo de SMS de hoy.",
            "en": "This phone has had today's maximum of SMS.",
        },
        "sub_sms_cap_total": {
            "es": "Se alcanzó el máximo diario de SMS de la institución.",
            "en": "The institution's daily SMS maximum has been reached.",
        },
        "sub_push_not_configured": {
            "es": "Esta institución todavía no envía avisos al teléfono.",
            "en": "This institution does not send notices to phones yet.",
        },
        "sub_push_service_unknown": {
            "es": "Esa dirección no es de un servicio push conocido.",
            "en": "That address is not a known push service.",
        },
        "sub_push_too_many": {
            "es": "Ya hay {limit} dispositivos recibiendo estos avisos.",
            "en": "{limit} devices already receive these notices.",
        },
    }
)
