"""Small server-side SVG charts (bars), so reports print and mail with no script and no CDN."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT, PAD = 640, 220, 32


def bars(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    target: float | None = None,
    unit: str = "",
) -> str:
    """A bar chart with a title, an accessible description and an optional target line."""
    count = max(1, len(values))
    top = max([*values, target or 0, 1])
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    step = inner_w / count
    bar_w = max(1.0, step * 0.8)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" stroke="#555"/>',
    ]
    label_every = max(1, count // 12)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = inner_h * value / top
        x = PAD + i * step + (step - bar_w) / 2
        y = HEIGHT - PAD - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="#1f5f8b">'
            f"<title>{escape(label)}: {value:g}{escape(unit)}</title></rect>"
        )
        if i % label_every == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{HEIGHT - PAD + 14}" font-size="10" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    if target is not None:
        y = HEIGHT - PAD - inner_h * target / top
        parts.append(
            f'<line x1="{PAD}" y1="{y:.1f}" x2="{WIDTH - PAD}" y2="{y:.1f}" stroke="#b00020" '
            f'stroke-dasharray="4 3"/>'
        )
    parts.append(
        f'<text x="{PAD}" y="{PAD - 12}" font-size="12">{escape(title)} (máx. {top:g}{escape(unit)})</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
