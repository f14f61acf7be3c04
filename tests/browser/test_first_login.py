"""A staff member invited by the first run (temporary password, forced change) signs in to the
console for the first time: chooses their own password, then works; the temporary one is gone."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import boto3
import pytest

from tests.browser.conftest import CHROMIUM
from tests.stack_process import MOTO_URLS, PRISTINE_ENV, ROOT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (make browser)"
    ),
]
USER = "nueva.admin"
TEMPORARY = "Temporal-Valle-2027"
CHOSEN = "Propia-Clave-Segura-9"
NEW = re.compile(r"^Contraseña nueva")
REPEAT = re.compile(r"^Repita la contraseña nueva")


def _invite(web_url: str) -> Any:
    """The first run against the browser stack's moto server, then a known temporary password
    (Cognito emails a random one; moto has no mailbox)."""
    moto = MOTO_URLS[web_url]
    env = {k: v for k, v in PRISTINE_ENV.items() if not k.startswith(("AWS_", "TABLE_", "USER_POOL"))}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "infra.ops.bootstrap",
            "--local",
            moto,
            "--portal",
            web_url,
            "--admin-username",
            USER,
            "--admin-email",
            "nueva.admin@valleverde.example",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
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
    cognito.admin_set_user_password(UserPoolId=pool, Username=USER, Password=TEMPORARY, Permanent=False)
    return cognito, pool


def test_invited_admin_chooses_a_password_at_first_sign_in(tab: Any, web_url: str) -> None:
    cognito, pool = _invite(web_url)
    page = tab.page
    tab.go("#/agente")
    page.get_by_label("Usuario").fill(USER)
    page.get_by_label("Contraseña").fill(TEMPORARY)
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_selector("h1:text('Elija su contraseña')")
    assert page.get_by_text(f"Es su primer ingreso como {USER}").is_visible()
    tab.step("primer-ingreso-1-elegir")

    page.get_by_label(NEW).fill("corta")
    page.get_by_role("button", name="Guardar e ingresar").click()
    page.wait_for_selector("text=Escriba al menos 12 caracteres.")
    page.get_by_label(NEW).fill("todominusculas-sin-numeros")
    page.get_by_label(REPEAT).fill("todominusculas-sin-numeros")
    page.get_by_role("button", name="Guardar e ingresar").click()
    page.wait_for_selector("text=La contraseña no cumple la política")  # Cognito's answer
    tab.step("primer-ingreso-2-politica")

    page.get_by_label(NEW).fill(CHOSEN)
    page.get_by_label(REPEAT).fill(CHOSEN)
    page.get_by_role("button", name="Guardar e ingresar").click()
    page.wait_for_selector("h1:text('Bandeja de solicitudes')")
    tab.wait_ready()
    assert page.get_by_text("(admin)").is_visible()
    assert cognito.admin_get_user(UserPoolId=pool, Username=USER)["UserStatus"] == "CONFIRMED"
