"""One error type for the notification rules, worded in Spanish and English.

It subclasses ``ValueError`` so callers validating input can catch the usual type, and it carries
a stable ``code`` so the API or the notifier can map it without parsing text.
"""

from __future__ import annotations


class NotifyError(ValueError):
    """A bad input to the notification rules; ``str()`` gives Spanish then English."""

    def __init__(self, code: str, es: str, en: str) -> None:
        super().__init__(f"{es} / {en}")
        self.code = code
        self.es = es
        self.en = en

    def message(self, lang: str = "es") -> str:
        """The message in ``lang`` (Spanish for anything but ``en``)."""
        return self.en if lang == "en" else self.es
