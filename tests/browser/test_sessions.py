"""One sign-in per browser, not per tab (issue 22, item 10): two tabs of one browser share the staff
sign-in, the tokens are refreshed once for both before they expire, signing out in one tab signs
out the other; the show-password toggle; "forgot password" through Cognito with the emailed code;
the citizen's account follows the same rules."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import quote

import boto3
import pytest

from tests.browser.conftest import CHROMIUM, Tab
from tests.browser.journeys import api_get
from tests.stack_process import MOTO_URLS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (make browser)"
    ),
]
QUEUE = "h1:text('Bandeja de solicitudes')"
LOGIN = "h1:text('Consola de atención: ingreso')"


def _second_tab(tab: Tab) -> Tab:
    """Another page of the same browser context: same origin, same localStorage."""
    page = tab.page.context.new_page()
    page.on("pageerror", lambda error: tab.errors.append(str(error)))
    return Tab(page, tab.url, tab.axe, tab.errors)


def _refreshes(requests: list[Any]) -> int:
    return sum(
        1 for r in requests if r.url.endswith("/dev/cognito") and "REFRESH_TOKEN_AUTH" in (r.post_data or "")
    )


def test_two_tabs_share_one_sign_in_refresh_once_and_sign_out_together(tab: Tab) -> None:
    page = tab.page
    other = _second_tab(tab)
    requests: list[Any] = []
    page.context.on("request", lambda r: requests.append(r))
    other.go("#/agente")  # the second tab waits on the sign-in form
    tab.go("#/agente")

    # the show-password toggle: a button whose pressed state says the text is shown
    page.get_by_label("Usuario").fill("ana.l1")
    password = page.get_by_label("Contraseña")
    password.fill("Demo-Ventanilla-1")
    toggle = page.get_by_role("button", name="Mostrar contraseña")
    assert toggle.get_attribute("aria-pressed") == "false" and password.get_attribute("type") == "password"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true" and password.get_attribute("type") == "text"
    tab.step("sesion-1-clave-visible")
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "false" and password.get_attribute("type") == "password"
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_selector(QUEUE)
    # the other tab follows without a second sign-in; a tab opened now is signed in too
    other.page.wait_for_selector(QUEUE)
    third = _second_tab(tab)
    third.go("#/agente")
    assert third.heading() == "Bandeja de solicitudes"
    third.page.close()

    # the access token near its end: one tab refreshes, under a lock, and both use the new token
    before = page.evaluate("JSON.parse(localStorage.getItem('ventanilla.staff')).access")
    page.evaluate(
        """() => { const s = JSON.parse(localStorage.getItem('ventanilla.staff'));
                   s.exp = Date.now() + 30000; localStorage.setItem('ventanilla.staff', JSON.stringify(s)); }"""
    )
    tokens = page.evaluate(
        "async () => { const a = await import('/js/auth.js'); return Promise.all([a.accessToken(), a.accessToken()]); }"
    )
    page.wait_for_function(
        "() => JSON.parse(localStorage.getItem('ventanilla.staff')).exp > Date.now() + 30 * 60000"
    )
    fresh = page.evaluate("JSON.parse(localStorage.getItem('ventanilla.staff')).access")
    assert fresh != before and tokens == [fresh, fresh]
    # the second tab's own timer (rescheduled by the storage event) found the refreshed tokens
    other.page.wait_for_function(  # its timer fires after at least a second
        "async (fresh) => (await import('/js/auth.js')).accessToken() === fresh", arg=fresh
    )
    assert other.page.evaluate("async () => (await import('/js/auth.js')).accessToken()") == fresh
    assert _refreshes(requests) == 1

    # sign out in the second tab: the first one is signed out at once, and says why
    other.page.get_by_role("button", name="Cerrar sesión").first.click()
    other.page.wait_for_selector(LOGIN)
    page.wait_for_selector(LOGIN)
    assert page.get_by_text("Se cerró la sesión en otra pestaña de este navegador.").is_visible()
    assert page.evaluate("localStorage.getItem('ventanilla.staff')") is None
    tab.step("sesion-2-cerrada-en-otra-pestana")
    other.page.close()


def _staff_member(web_url: str, password: str) -> tuple[str, str]:
    moto = MOTO_URLS[web_url]
    cognito = boto3.client(
        "cognito-idp",
        endpoint_url=moto,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    pool = next(
        p["Id"]
        for p in cognito.list_user_pools(MaxResults=60)["UserPools"]
        if p["Name"] == "ventanilla-staff"
    )
    username = f"olvido.{uuid.uuid4().hex[:6]}"
    email = f"{username}@valleverde.example"
    cognito.admin_create_user(
        UserPoolId=pool,
        Username=username,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(UserPoolId=pool, Username=username, Password=password, Permanent=True)
    cognito.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName="supervisor")
    return username, email


def _reset_code(web_url: str, email: str, tab: Tab) -> str:
    for _ in range(60):
        mails = api_get(web_url, f"/dev/outbox?format=json&to={quote(email)}")["items"]
        found = [m for m in mails if "restablecer" in m["subject"]]
        if found:
            return re.search(r"\b(\d{6})\b", found[0]["text"]).group(1)  # type: ignore[union-attr]
        tab.page.wait_for_timeout(250)
    raise AssertionError("no reset code in the outbox")


def test_staff_member_resets_a_forgotten_password(tab: Tab, web_url: str) -> None:
    username, email = _staff_member(web_url, "Antigua-Clave-2026")
    page = tab.page
    tab.go("#/agente")
    page.get_by_role("button", name="¿Olvidó su contraseña?").click()
    page.wait_for_selector("h1:text('Restablecer la contraseña')")
    tab.step("sesion-3-olvido")
    page.get_by_role("button", name="Enviar código").click()
    assert page.get_by_text("Escriba su usuario o correo.").first.is_visible()
    page.get_by_label("Usuario").fill(username)
    page.get_by_role("button", name="Enviar código").click()
    page.wait_for_selector("h1:text('Revise su correo')")
    tab.step("sesion-4-codigo")
    code = _reset_code(web_url, email, tab)
    wrong = "000000" if code != "000000" else "111111"
    page.get_by_label("Código de verificación").fill(wrong)
    page.get_by_label("Nueva contraseña").fill("Nueva-Clave-2026")
    page.get_by_role("button", name="Guardar contraseña").click()
    page.wait_for_selector("text=El código no es correcto o venció.")
    page.get_by_label("Código de verificación").fill(code)
    page.get_by_label("Nueva contraseña").fill("Corta-1")
    page.get_by_role("button", name="Guardar contraseña").click()
    page.wait_for_selector("text=La contraseña no cumple la política")
    page.get_by_label("Nueva contraseña").fill("Nueva-Clave-2026")
    page.get_by_role("button", name="Guardar contraseña").click()
    page.wait_for_selector(LOGIN)
    assert page.get_by_text("Su contraseña fue cambiada. Ingrese con la nueva.").is_visible()
    assert page.get_by_label("Usuario").input_value() == username
    page.get_by_label("Contraseña").fill("Nueva-Clave-2026")
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_selector(QUEUE)


def test_citizen_account_shared_across_tabs_with_forgot_password(tab: Tab) -> None:
    page = tab.page
    tab.go("#/cuenta")
    page.get_by_role("button", name="¿Olvidó su contraseña?").click()
    page.wait_for_selector("h1:text('Restablecer la contraseña')")
    tab.check_a11y("cuenta-olvido")
    page.get_by_role("link", name="Volver al ingreso").click()
    page.wait_for_selector("h1:text('Mi cuenta')")
    other = _second_tab(tab)
    other.go("#/cuenta")
    page.get_by_label("Correo electrónico").fill("vecina@example.cl")
    page.get_by_label("Contraseña").fill("Demo-Vecina-1")
    page.get_by_role("button", name="Mostrar contraseña").click()
    assert page.get_by_label("Contraseña").get_attribute("type") == "text"
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_selector("h2:text('Mis solicitudes')")
    other.page.wait_for_selector("h2:text('Mis solicitudes')")  # signed in there too
    other.page.get_by_role("button", name="Cerrar sesión").click()
    page.wait_for_selector("text=Se cerró la sesión en otra pestaña de este navegador.")
    assert page.locator("h2:text('Mis solicitudes')").count() == 0
    other.page.close()
