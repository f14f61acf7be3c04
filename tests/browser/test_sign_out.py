"""Ending a staff session in a real browser: the agent signs out, and the token the tab held is
refused by the API afterwards (not only forgotten by the tab)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM
from tests.browser.test_agent import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (make browser)"
    ),
]


def _get(url: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_signing_out_revokes_the_token_the_tab_held(tab: Any, web_url: str) -> None:
    page = tab.page
    sign_in(tab, "ana.l1", "Demo-Ventanilla-1")
    token = page.evaluate("JSON.parse(localStorage.getItem('ventanilla.staff')).access")
    assert _get(f"{web_url}/api/v1/agent/me/preferences", {"Authorization": f"Bearer {token}"})[0] == 200
    page.get_by_role("button", name="Cerrar sesión").first.click()
    page.wait_for_selector("h1:text('Consola de atención: ingreso')")
    tab.step("agente-sesion-cerrada")
    status, problem = _get(f"{web_url}/api/v1/agent/me/preferences", {"Authorization": f"Bearer {token}"})
    assert status == 401 and problem["code"] == "token_revoked"
    assert page.evaluate("localStorage.getItem('ventanilla.staff')") is None
