"""The help centre over real HTTP against the stack ``make dev`` runs: the demo articles are
searchable as soon as it says READY, and an editor's save reaches search within seconds."""

from __future__ import annotations

import time
import uuid

import pytest
import requests

from tests.e2e.test_round_trip import login

pytestmark = pytest.mark.e2e


def test_demo_articles_are_searchable_when_the_stack_is_ready(stack_url: str) -> None:
    found = requests.get(f"{stack_url}/api/v1/help/search", params={"q": "lisencia de conducir"}, timeout=10)
    assert found.status_code == 200
    assert found.json()["hits"][0]["section_path"][-1] == "licencias-de-conducir"
    sections = requests.get(f"{stack_url}/api/v1/help/sections", timeout=10).json()
    assert sections["total"] >= 40 and len(sections["sections"]) >= 5
    stages = requests.get(f"{stack_url}/api/v1/help/stages", timeout=10).json()["stages"]
    assert all(s["count"] > 0 for s in stages)
    for q in ("", "x" * 2000, "😀 AND (OR) ~ ^ * ?"):
        status = requests.get(f"{stack_url}/api/v1/help/search", params={"q": q}, timeout=10).status_code
        assert status == (400 if q == "" else 200)


def test_a_published_article_reaches_search_within_seconds(stack_url: str) -> None:
    editor = {**login(stack_url, "diana.editora", "Demo-Ventanilla-4"), "Content-Type": "application/json"}
    slug = f"feria-navidena-{uuid.uuid4().hex[:6]}"
    body = {
        "slug": slug,
        "title": "Feria navideña en la plaza",
        "summary": "Fechas y permisos de la feria navideña.",
        "body_md": "La feria navideña con villancicos se instala en la plaza de armas.",
        "section_path": ["patentes-y-comercio", "ferias-y-comercio-ambulante"],
        "section_titles": ["Patentes y comercio", "Ferias y comercio ambulante"],
        "stage": "informacion",
    }
    created = requests.post(f"{stack_url}/api/v1/admin/help/articles", json=body, headers=editor, timeout=10)
    assert created.status_code == 201, created.text
    published = requests.post(
        f"{stack_url}/api/v1/admin/help/articles/{slug}/publish", json={}, headers=editor, timeout=10
    )
    assert published.status_code == 200
    started = time.monotonic()
    while time.monotonic() - started < 10:
        hits = requests.get(f"{stack_url}/api/v1/help/search", params={"q": "villancicos"}, timeout=10).json()
        if slug in [h["slug"] for h in hits["hits"]]:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the published article did not reach search within 10 s")
