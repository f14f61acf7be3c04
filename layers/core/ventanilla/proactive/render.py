"""Jinja2 templates of the proactive messages (packaged, trusted; HTML autoescaped)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(["html.j2"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def render(name: str, **context: Any) -> tuple[str, str]:
    """(text, html) of template ``name`` (``<name>.txt.j2`` and ``<name>.html.j2``)."""
    env = _env()
    text = env.get_template(f"{name}.txt.j2").render(**context).strip() + "\n"
    html = env.get_template(f"{name}.html.j2").render(**context)
    return text, html
