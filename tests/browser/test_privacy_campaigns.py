"""The privacy notice says, in Spanish and English, that subscriptions and accounts may be used for
segmented campaigns (sector, topics, language, types of past requests) and how to opt out; the
subscription form points to it."""

from __future__ import annotations

from typing import Any


def test_the_privacy_notice_names_segmented_campaigns_and_the_opt_outs_in_both_languages(tab: Any) -> None:
    page = tab.page
    tab.go("#/privacidad")
    page.wait_for_selector("h1:text('Aviso de privacidad')")
    text = page.inner_text("main")
    for words in ("campañas informativas segmentadas", "sector", "temas", "idioma", "tipos de solicitudes"):
        assert words in text, words
    for words in ("darse de baja", "permiso de notificaciones", "elimine su cuenta"):
        assert words in text, words
    tab.step("privacidad-campanas-es")
    page.get_by_role("button", name="Change language to English").click()
    page.wait_for_selector("h1:text('Privacy notice')")
    text = page.inner_text("main")
    for words in ("segmented information campaigns", "sector and topics", "language", "types of requests"):
        assert words in text, words
    for words in ("unsubscribe link", "notification permission", "delete your account"):
        assert words in text, words
    tab.step("privacidad-campanas-en")
    page.get_by_role("button", name="Cambiar idioma a español").click()
    page.wait_for_selector("h1:text('Aviso de privacidad')")


def test_the_subscription_form_says_campaigns_may_come_and_links_the_notice(tab: Any) -> None:
    page = tab.page
    tab.go("#/avisos")
    page.wait_for_selector("h1:text('Recibir avisos')")
    hint = page.locator("form p.hint", has_text="campañas informativas")
    assert "darse de baja" in hint.inner_text()
    hint.get_by_role("link", name="Aviso de privacidad").click()
    page.wait_for_selector("h1:text('Aviso de privacidad')")
