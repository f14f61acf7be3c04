"""Notification rules (C2, C3): kinds, templates, SMS length, contacts, opt-out and preferences.

Pure Python: no AWS here. The notifier function renders with :class:`TemplateRenderer` and hands
the result to SES / SNS.
"""

from ventanilla.notify.contacts import normalize_email, normalize_phone
from ventanilla.notify.context import NotificationContext, build_context, sample_context
from ventanilla.notify.errors import NotifyError
from ventanilla.notify.events import Audience, Channel, Kind
from ventanilla.notify.optout import OptOut, TokenError, make_token, read_token
from ventanilla.notify.preferences import Contact, Preferences, channels_for
from ventanilla.notify.render import RenderedMessage, TemplateRenderer, validate_template
from ventanilla.notify.sms import fit_sms, is_gsm7, segments, to_gsm7

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
