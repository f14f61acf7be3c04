"""Mean time to render each notice (kind x channel), in Spanish and English, with a warm renderer.

Rendering happens once per recipient and channel in the notifier Lambda, so this is the per-message
CPU cost on top of the SES/SNS call. Compilation is excluded (warm-up); an admin override costs one
extra compile the first time it is seen.
"""

from __future__ import annotations

import time

from tests.bench.sizes import size
from ventanilla.notify.context import sample_context
from ventanilla.notify.events import DELIVERY_CHANNELS, Kind
from ventanilla.notify.render import TemplateRenderer

ROUNDS = size(300, 3)


def _mean_us(renderer: TemplateRenderer, kind: Kind, channel: str, lang: str) -> float:
    ctx = sample_context(kind, lang)
    renderer.render(kind, channel, lang, ctx)  # warm-up: compile and cache
    started = time.perf_counter()
    for _ in range(ROUNDS):
        renderer.render(kind, channel, lang, ctx)
    return (time.perf_counter() - started) / ROUNDS * 1e6


def main() -> None:
    renderer = TemplateRenderer()
    print(f"mean render time, microseconds per message ({ROUNDS} rounds, warm)")
    print(f"{'kind':<24}{'channel':<8}{'es':>9}{'en':>9}")
    totals = {"es": 0.0, "en": 0.0}
    count = 0
    for kind in Kind:
        for channel in DELIVERY_CHANNELS:
            es = _mean_us(renderer, kind, channel.value, "es")
            en = _mean_us(renderer, kind, channel.value, "en")
            totals["es"] += es
            totals["en"] += en
            count += 1
            print(f"{kind.value:<24}{channel.value:<8}{es:>9.1f}{en:>9.1f}")
    print(f"{'mean':<32}{totals['es'] / count:>9.1f}{totals['en'] / count:>9.1f}")
    override = {"text": "Aviso {{ ticket_number }}: {{ reply_text|sms_body }} {{ sms_ticket_url }}"}
    ctx = sample_context(Kind.PUBLIC_REPLY)
    renderer.render(Kind.PUBLIC_REPLY, "sms", "es", ctx, override)
    started = time.perf_counter()
    for _ in range(ROUNDS):
        renderer.render(Kind.PUBLIC_REPLY, "sms", "es", ctx, override)
    sandboxed = (time.perf_counter() - started) / ROUNDS * 1e6
    print(f"{'public_reply sms, sandboxed override':<40}{sandboxed:>9.1f}")
    started = time.perf_counter()
    for i in range(size(50, 2)):
        TemplateRenderer().render(Kind.PUBLIC_REPLY, "sms", "es", ctx, {"text": override["text"] + str(i)})
    print(
        f"{'cold override (new renderer + compile)':<40}{(time.perf_counter() - started) / size(50, 2) * 1e6:>9.1f}"
    )
