"""Every text of the web app exists in Spanish and English (no browser needed)."""

from __future__ import annotations

import json
import re

import pytest

from tests.browser.conftest import ROOT

pytestmark = pytest.mark.browser

WEB = ROOT / "web"
LITERAL_KEY = re.compile(r"""\bt\(\s*'([a-z_]+(?:\.[a-z0-9_]+)+)'""")
TEMPLATE_KEY = re.compile(r"""\bt\(\s*`([a-z_]+(?:\.[a-z0-9_]+)*)\.\$\{""")
DATA_KEY = re.compile(r"""data-i18n(?:-label)?="([^"]+)\"""")


def dictionaries() -> dict[str, dict[str, str]]:
    return {
        lang: json.loads((WEB / "i18n" / f"{lang}.json").read_text(encoding="utf-8")) for lang in ("es", "en")
    }


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    d = dictionaries()
    assert set(d["es"]) == set(d["en"])
    for key, text in d["es"].items():
        assert set(re.findall(r"\{(\w+)\}", text)) == set(re.findall(r"\{(\w+)\}", d["en"][key])), key
        assert text.strip() and d["en"][key].strip(), key


def test_every_key_the_code_uses_is_translated() -> None:
    d = dictionaries()["es"]
    sources = [p.read_text(encoding="utf-8") for p in (WEB / "js").rglob("*.js")]
    used = {k for s in sources for k in LITERAL_KEY.findall(s)}
    used |= set(DATA_KEY.findall((WEB / "index.html").read_text(encoding="utf-8")))
    assert used, "the key patterns found nothing"
    assert sorted(used - set(d)) == []
    prefixes = {k for s in sources for k in TEMPLATE_KEY.findall(s)}
    for prefix in prefixes:  # keys built at run time, e.g. t(`status.${s}`)
        assert any(k.startswith(prefix + ".") for k in d), prefix
