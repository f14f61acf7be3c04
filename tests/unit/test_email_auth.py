"""When SES's verdicts leave an incoming mail's From unverified (rules.email_auth)."""

from __future__ import annotations

import pytest

from ventanilla.rules.email_auth import unverified


@pytest.mark.parametrize(
    ("dmarc", "spf", "dkim", "flagged"),
    [
        ("PASS", "FAIL", "FAIL", False),  # DMARC passes through an aligned SPF or DKIM of its own
        ("FAIL", "PASS", "PASS", True),  # aligned with neither: the From is not the sender's
        ("FAIL", "PASS", "GRAY", True),
        ("GRAY", "PASS", "GRAY", False),  # no DMARC policy: one check passing is what there is
        ("GRAY", "GRAY", "PASS", False),
        ("GRAY", "FAIL", "FAIL", True),
        ("GRAY", "GRAY", "GRAY", True),  # nothing ties the From to anything
        ("", "", "", True),  # verdicts missing from the event
        ("PROCESSING_FAILED", "PROCESSING_FAILED", "FAIL", True),
        ("pass", "", "", False),
    ],
)
def test_verdicts(dmarc: str, spf: str, dkim: str, flagged: bool) -> None:
    got = unverified({"dmarc": dmarc, "spf": spf, "dkim": dkim, "spam": "PASS", "virus": "PASS"})
    assert (got is not None) is flagged
    if got is not None:
        assert set(got) == {"dmarc", "spf", "dkim"} and all(got.values())


def test_no_verdicts_means_no_check_ran() -> None:
    assert unverified(None) is None
    assert unverified({}) == {"dmarc": "NONE", "spf": "NONE", "dkim": "NONE"}
