"""The readable part of an incoming email: HTML turned into text, then the quoted earlier messages
and the signature cut off, so a request or a message holds what the citizen wrote this time.

Written here rather than taken from a library: the reply parsers on the package index know English
mail clients only ("On ... wrote:"), and Spanish ones say "El ... escribió:" / "De: ... Enviado:".
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BLOCK = frozenset(
    {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "hr"}
)
_SKIP = frozenset({"script", "style", "head", "title"})


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.quoting = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag == "blockquote":
            self.quoting += 1
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "blockquote":
            self.quoting = max(0, self.quoting - 1)
            self.parts.append("\n")
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "hr"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        text = re.sub(r"[ \t\r\n\f\v]+", " ", data)
        if self.quoting:  # quoted history in HTML mail: marked as a plain-text client would
            text = text.replace("\n", "\n> ")
            if not self.parts or self.parts[-1].endswith("\n"):
                text = "> " + text.lstrip()
        self.parts.append(text)


def html_to_text(markup: str) -> str:
    """Plain text of an HTML body: paragraphs and line breaks kept, scripts and styles dropped,
    blockquotes marked with ``>`` (so the reply trimmer sees them)."""
    parser = _Text()
    try:
        parser.feed(markup)
        parser.close()
    except (AssertionError, ValueError):  # badly broken markup: what was read so far
        pass
    text = html.unescape("".join(parser.parts)).replace("\xa0", " ")
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# A line that starts the quoted earlier message (Gmail, Apple Mail, Thunderbird, Outlook, in Spanish
# and English); Gmail may wrap "El ..., Ana <a@b>" and "escribió:" on two lines; clients and
# keyboards without accents write "escribio:".
_QUOTE_HEADER = re.compile(
    r"^\s*(?:(?:el|on|le|em)\s.{0,200}?(?:escribi[óo]|wrote|a écrit|escreveu)\s*:\s*$"
    r"|-{2,}\s*(?:mensaje original|original message|mensaje reenviado|forwarded message)\s*-{2,}"
    r"|_{10,}\s*$)",
    re.I,
)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(?:de|from)\s*:\*?\s+\S", re.I)
_OUTLOOK_NEXT = re.compile(r"^\s*\*?(?:enviado|sent|fecha|date|para|to|asunto|subject)\s*:", re.I)
_SIGNATURE = re.compile(
    r"^\s*(?:--\s*|enviado desde mi .*|sent from my .*|obtener outlook para .*|get outlook for .*)$", re.I
)
_WRAPPED_START = re.compile(r"^\s*(?:el|on)\s", re.I)


def trim_reply(text: str) -> str:
    """What the sender wrote this time: everything before the first quoted earlier message or the
    signature, and no ``>`` lines. Never empty when ``text`` was not: if trimming would leave
    nothing (a mail that is all quote), the text stays as it came."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = len(lines)
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        wrapped = _WRAPPED_START.match(line) and any(
            _QUOTE_HEADER.match(" ".join(lines[i : i + n])) for n in (2, 3)
        )
        if (
            _QUOTE_HEADER.match(line)
            or wrapped
            or (_OUTLOOK_FROM.match(line) and _OUTLOOK_NEXT.match(nxt))
            or _SIGNATURE.match(line)
        ):
            cut = i
            break
    kept = [line.rstrip() for line in lines[:cut] if not line.lstrip().startswith(">")]
    result = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return result or text.strip()
