"""Messages of the proactive service (registered with ventanilla.i18n when imported)."""

from __future__ import annotations
