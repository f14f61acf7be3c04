"""Notification rules (C2, C3): kinds, templates, SMS length, contacts, opt-out and preferences.

Pure Python: no AWS here. The notifier function renders with :class:`TemplateRenderer` and hands
the result to SES / SNS.
"""

from importlib import import_module
from typing import Any

_HOMES = {
    "Audience": "ventanilla.notify.events",
    "Channel": "ventanilla.notify.events",
    "Contact": "ventanilla.notify.preferences",
    "Kind": "ventanilla.notify.events",
    "NotificationContext": "ventanilla.notify.context",
    "NotifyError": "ventanilla.notify.errors",
    "OptOut": "ventanilla.notify.optout",
    "Preferences": "ventanilla.notify.preferences",
    "RenderedMessage": "ventanilla.notify.render",
    "TemplateRenderer": "ventanilla.notify.render",
    "TokenError": "ventanilla.notify.optout",
    "build_context": "ventanilla.notify.context",
    "channels_for": "ventanilla.notify.preferences",
    "fit_sms": "ventanilla.notify.sms",
    "is_gsm7": "ventanilla.notify.sms",
    "make_token": "ventanilla.notify.optout",
    "normalize_email": "ventanilla.notify.contacts",
    "normalize_phone": "ventanilla.notify.contacts",
    "read_token": "ventanilla.notify.optout",
    "sample_context": "ventanilla.notify.context",
    "segments": "ventanilla.notify.sms",
    "to_gsm7": "ventanilla.notify.sms",
    "validate_template": "ventanilla.notify.render",
}
"""Where each name lives: imported on first use, so a route that needs contacts does not load the
template engine (Jinja2) with them."""


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


__all__ = [
    "Audience",
    "Channel",
    "Contact",
    "Kind",
    "NotificationContext",
    "NotifyError",
    "OptOut",
    "Preferences",
    "RenderedMessage",
    "TemplateRenderer",
    "TokenError",
    "build_context",
    "channels_for",
    "fit_sms",
    "is_gsm7",
    "make_token",
    "normalize_email",
    "normalize_phone",
    "read_token",
    "sample_context",
    "segments",
    "to_gsm7",
    "validate_template",
]
