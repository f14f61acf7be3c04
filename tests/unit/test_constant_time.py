"""Secrets a client sends are compared in constant time, and a non-ASCII one is just unequal."""

from __future__ import annotations

import hmac

import pytest

from ventanilla.rules.constant_time import same


def test_equal_and_unequal_secrets() -> None:
    assert same("a1b2c3", "a1b2c3")
    assert not same("a1b2c4", "a1b2c3")
    assert not same("", "a1b2c3")


@pytest.mark.parametrize("given", ["áéí", "\x1f\U000fe388[Q3", "a1b2c\udcff"])
def test_a_non_ascii_value_is_unequal_where_compare_digest_raises(given: str) -> None:
    with pytest.raises(TypeError):
        hmac.compare_digest(given, "a1b2c3")
    assert not same(given, "a1b2c3")
