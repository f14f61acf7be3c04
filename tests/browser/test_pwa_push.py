"""The portal as an installable app (issue 21) in a real Chromium: installability as Chromium itself
judges it, Web Push from "Activar avisos" to the notification the service worker shows after an
agent replies, and a help article read again with the network off.

No vendor push service is reachable offline, so the test is the browser's push service: the page's
``PushManager`` hands out a subscription whose keys the test made (tests/push_service.py), the
notifier sends with pywebpush to that local endpoint, which checks VAPID and decrypts (RFC 8291),
and the plaintext goes to the real service worker through DevTools (``ServiceWorker.deliverPushMessage``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM
from tests.browser.journeys import api_get, file_licence_request
from tests.browser.test_agent import sign_in
from tests.push_service import PushService

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium (make browser)"),
]

REPLY = "Revisamos su patente: la resolución sale esta semana."

# The browser's push service is the test: subscribe() answers with the subscription it made.
FAKE_VENDOR = """
(() => {
  const made = %s;
  const subscription = {
    endpoint: made.endpoint, expirationTime: null, options: {userVisibleOnly: true},
    toJSON: () => made, unsubscribe: async () => true,
    getKey: () => null,
  };
  let subscribed = false;
  PushManager.prototype.subscribe = async function () { subscribed = true; return subscription; };
  PushManager.prototype.getSubscription = async function () { return subscribed ? subscription : null; };
  PushManager.prototype.permissionState = async function () { return 'granted'; };
})();
"""


def until(check: Callable[[], Any], what: str, timeout: float = 60, page: Any = None) -> Any:
    """Poll ``check``; with ``page``, wait through Playwright so DevTools events keep arriving."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        if page is not None:
            page.wait_for_timeout(200)
        else:
            time.sleep(0.2)


def registration_id(cdp: Any, scope: str, page: Any) -> str:
    found: dict[str, str] = {}
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda e: found.update({r["scopeURL"]: r["registrationId"] for r in e["registrations"]}),
    )
    cdp.send("ServiceWorker.enable")
    return str(until(lambda: found.get(scope), "the service worker registration", page=page))


def notifications(page: Any) -> list[dict[str, Any]]:
    return list(
        page.evaluate(
            """async () => (await (await navigator.serviceWorker.ready).getNotifications())
                .map(n => ({title: n.title, body: n.body, tag: n.tag, data: n.data}))"""
        )
    )


def test_installable_subscribe_and_agent_reply_arrives_as_a_notification(tab: Any, new_tab: Any) -> None:
    page, url = tab.page, tab.url
    with PushService() as push:
        made = push.subscribe()
        page.context.grant_permissions(["notifications"], origin=url)
        page.add_init_script(FAKE_VENDOR % json.dumps(made.to_json()))
        filed = file_licence_request(tab)

        # Installable as Chromium judges it (what Lighthouse's check asks the browser too).
        tab.go("#/")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        cdp = page.context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == [], manifest["errors"]
        parsed = json.loads(manifest["data"])
        assert parsed["display"] == "standalone" and parsed["lang"] == "es"
        assert {i["sizes"] for i in parsed["icons"]} >= {"192x192", "512x512"}
        assert any(i.get("purpose") == "maskable" for i in parsed["icons"])
        # A test's browser context is incognito-like; that is the only reason Chromium may give.
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == [], errors
        for icon in parsed["icons"]:
            assert page.request.get(f"{url}{icon['src']}").headers["content-type"] == "image/png"
        scope = f"{url}/"
        registration = registration_id(cdp, scope, page)

        # The request page offers notices on the phone; nothing was asked on load.
        tab.go(f"#/solicitud/{filed.number}?codigo={filed.code}")
        box = page.get_by_test_id("push-box")
        assert box.get_by_role("heading", name="Reciba avisos en su teléfono").is_visible()
        assert made.received == [] and push.subscriptions[made.id].received == []
        tab.step("pwa-1-avisos")
        box.get_by_role("button", name="Activar avisos").click()
        page.wait_for_selector("text=Listo: le avisaremos en este dispositivo.")
        tab.step("pwa-2-avisos-activos")

        # An agent replies.
        agent = new_tab()
        sign_in(agent, "ana.l1", "Demo-Ventanilla-1")
        agent.go(f"#/agente/solicitud/{filed.number}")
        agent.page.get_by_label("Mensaje").fill(REPLY)
        agent.page.get_by_role("button", name="Responder al ciudadano").click()
        agent.page.wait_for_selector("text=Respuesta enviada al ciudadano.")

        # The push service got it encrypted, with VAPID; decrypted it holds no personal data.
        received = until(
            lambda: [p for p in push.wait_for(made, 1, 5) if p["kind"] == "public_reply"], "the push", 120
        )
        assert not push.refused, push.refused
        payload = received[0]
        assert payload["number"] == filed.number and REPLY not in json.dumps(payload, ensure_ascii=False)
        assert "María" not in json.dumps(payload, ensure_ascii=False) and "?t=" not in payload["url"]

        # Handed to the real service worker as a push event; the worker shows the notification.
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": scope, "registrationId": registration, "data": json.dumps(payload)},
        )
        shown = until(lambda: notifications(page), "the notification", page=page)
        assert (
            shown[0]["body"] == f"Hay una respuesta a su solicitud {filed.number}. Toque para ver el detalle."
        )
        assert shown[0]["tag"] == f"solicitud-{filed.number}"
        assert shown[0]["data"]["url"].endswith(f"/#/solicitud/{filed.number}")

        # The outbox shows the web push as the phone does.
        pushes = [
            e
            for e in api_get(url, "/dev/outbox?format=json")["items"]
            if e["channel"] == "webpush" and e.get("number") == filed.number
        ]
        # (other notices of the request, e.g. "in progress", may be there too)
        assert shown[0]["body"] in [e["text"] for e in pushes]


def test_a_read_help_article_opens_offline_and_a_form_is_not_sent_later(tab: Any) -> None:
    page, url = tab.page, tab.url
    hits = api_get(url, "/api/v1/help/search?q=patente&lang=es")["hits"]
    read, unread = hits[0], hits[-1]
    assert read["slug"] != unread["slug"]
    tab.go("#/ayuda")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now the worker controls the page
    tab.wait_ready()
    assert page.evaluate("Boolean(navigator.serviceWorker.controller)")
    tab.go(f"#/ayuda/{read['slug']}")
    title = tab.heading()

    page.context.set_offline(True)
    try:
        page.reload()
        tab.wait_ready()
        banner = page.locator("#offline-banner")
        assert banner.is_visible() and banner.inner_text().startswith("Sin conexión: puede leer")
        tab.go(f"#/ayuda/{unread['slug']}")
        assert tab.heading() == "Este artículo no está guardado en este dispositivo"  # never read here
        tab.go(f"#/ayuda/{read['slug']}")
        assert tab.heading() == title
        tab.step("pwa-3-sin-conexion")
        # Contact form sent offline: said plainly, nothing kept to send later.
        answer = page.evaluate(
            """async () => { const api = await import('/js/api.js');
                try { await api.request('/tickets', {method: 'POST', body: {}}); return 'sent'; }
                catch (e) { return e.message; } }"""
        )
        assert "NO se envió" in answer
    finally:
        page.context.set_offline(False)
