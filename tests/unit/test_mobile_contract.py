"""docs/mobile.md, the native-app contract: every example payload in it is what the renderer and
the senders produce for that notice kind (sample data), so the document cannot drift from the code.

``python -m tests.unit.test_mobile_contract`` prints the examples section to paste after a change.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "mobile.md"
BLOCK = re.compile(
    r"<!-- example: (?P<kind>[a-z_]+)/(?P<form>native|webpush) -->\n```json\n(?P<body>.*?)\n```", re.S
)


def examples() -> dict[tuple[str, str], Any]:
    from ventanilla.integrations import messaging
    from ventanilla.notify import webpush
    from ventanilla.notify.context import sample_context
    from ventanilla.notify.events import Kind
    from ventanilla.notify.render import default_renderer

    found: dict[tuple[str, str], Any] = {}
    for kind in Kind:
        ctx = sample_context(kind, "es")
        message = default_renderer().render(kind, "push", "es", ctx)
        url = str(ctx.ticket_url)
        wire = json.loads(messaging.push_payload(str(message.title), message.text, url))
        found[(kind.value, "native")] = {
            "GCM": json.loads(wire["GCM"]),
            "APNS": json.loads(wire["APNS"]),
            "default": wire["default"],
        }
        number = url.split("/#/", 1)[1].split("?", 1)[0].rsplit("/", 1)[-1]
        found[(kind.value, "webpush")] = webpush.payload(
            kind, "es", number, ctx.institution_name, url.split("?", 1)[0]
        )
    return found


def section() -> str:
    parts = []
    for (kind, form), value in examples().items():
        if form == "native":
            parts.append(f"### `{kind}`\n")
        label = "Native app (SNS to FCM / APNs)" if form == "native" else "Web Push (portal)"
        parts.append(
            f"{label}:\n\n<!-- example: {kind}/{form} -->\n```json\n"
            f"{json.dumps(value, ensure_ascii=False, indent=2)}\n```\n"
        )
    return "\n".join(parts)


def test_every_example_in_the_doc_is_what_the_code_sends() -> None:
    text = DOC.read_text(encoding="utf-8")
    documented = {(m["kind"], m["form"]): json.loads(m["body"]) for m in BLOCK.finditer(text)}
    produced = examples()
    assert set(documented) == set(produced), set(produced) ^ set(documented)
    for key, value in produced.items():
        assert documented[key] == value, f"docs/mobile.md example {key} differs from the renderer"


def test_web_push_examples_carry_no_personal_data() -> None:
    for (_, form), value in examples().items():
        if form == "webpush":
            text = json.dumps(value, ensure_ascii=False)
            assert (
                "María" not in text
                and "?t=" not in text
                and set(value)
                == {
                    "v",
                    "kind",
                    "number",
                    "title",
                    "body",
                    "url",
                    "lang",
                }
            )


if __name__ == "__main__":
    print(section())
