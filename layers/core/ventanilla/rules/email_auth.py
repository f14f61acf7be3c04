"""Is an incoming mail's ``From`` its real sender? SES's verdicts decide (pure: no AWS).

Anyone can write any ``From``. The receipt goes to that address with the institution's name on it,
so a forged mail would make us relay a stranger's words to a victim (phishing that passes every
filter: it really comes from us), and a forged reply would land in a citizen's request. SES checks
SPF, DKIM and DMARC on every mail it receives and passes the verdicts (``PASS``, ``FAIL``, ``GRAY``,
``PROCESSING_FAILED``) to the intake.

A mail is *unverified* when DMARC fails, or, with no DMARC verdict (the domain publishes no policy,
or the check could not run), when neither SPF nor DKIM passes: nothing then ties the ``From`` to
the server that sent it. The ``spam`` and ``virus`` verdicts are separate matters.
"""

from __future__ import annotations

from collections.abc import Mapping

CHECKS = ("dmarc", "spf", "dkim")
PASS = "PASS"  # noqa: S105 (a verdict, not a password)
FAIL = "FAIL"
FLAG = "unverified_sender"
"""The key of the ``created`` event's data that marks a request filed from an unverified mail."""


def unverified(verdicts: Mapping[str, str] | None) -> dict[str, str] | None:
    """The verdicts to show staff when the sender is unverified; None when the ``From`` can be
    trusted. ``None`` verdicts (a caller that ran no checks: the intake called in-process) are
    not judged; the SES and SMTP paths always pass them."""
    if verdicts is None:
        return None
    seen = {name: str(verdicts.get(name) or "").upper() or "NONE" for name in CHECKS}
    if seen["dmarc"] == PASS:
        return None
    if seen["dmarc"] == FAIL:
        return seen
    if PASS in (seen["spf"], seen["dkim"]):
        return None
    return seen
