"""Render docs/manuals/*.md into web/manuales/*.html (and copy their screenshots)."""

from __future__ import annotations

import argparse
import html
import shutil
import sys
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "manuals"
WEB = ROOT / "web" / "manuales"
PAGE = """<!doctype html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — Ventanilla</title>
<link rel="stylesheet" href="/css/app.css">
</head>
<body>
<main id="main" class="manual">
<p><a href="/#/agente/manuales">← Manuales de operación</a></p>
{body}
</main>
</body>
</html>
"""


def render(source: Path) -> str:
    text = source.read_text(encoding="utf-8")
    title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), source.stem)
    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(text)
    body = body.replace('src="img/', 'src="/manuales/img/').replace('.md"', '.html"')
    return PAGE.format(title=html.escape(title), body=body)


def expected() -> dict[Path, bytes]:
    out: dict[Path, bytes] = {}
    for source in sorted(DOCS.glob("*.md")):
        out[WEB / f"{source.stem}.html"] = render(source).encode()
    for image in sorted((DOCS / "img").glob("*.png")):
        out[WEB / "img" / image.name] = image.read_bytes()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    wanted = expected()
    if args.check:
        stale = [str(p.relative_to(ROOT)) for p, d in wanted.items() if not p.exists() or p.read_bytes() != d]
        present = {p for p in WEB.rglob("*") if p.is_file()} if WEB.exists() else set()
        stale += [str(p.relative_to(ROOT)) for p in sorted(present - set(wanted))]
        if stale:
            print("out of step with docs/manuals (run python -m infra.manuals):", *stale, sep="\n  ")
            return 1
        return 0
    if WEB.exists():
        shutil.rmtree(WEB)
    for path, data in wanted.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    print(f"wrote {len(wanted)} files to web/manuales/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
