"""JSON from strangers, parsed within limits before any model sees it.

The standard parser recurses once per nesting level (a few KB of ``[`` raise ``RecursionError``),
turns a 5,000-digit integer into a ``ValueError`` and accepts ``NaN`` and ``1e999``; none of that
may reach pydantic or DynamoDB (which stores numbers of at most 38 digits, magnitudes up to 1e125).
Every limit broken is a :class:`BadRequest` whose message names the limit.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from typing import Any

from ventanilla.errors import BadRequest

MAX_DEPTH = 20
"""Objects and arrays nested deeper than this: no API body comes close (the deepest is 5)."""
MAX_INT_DIGITS = 16
"""Integers of more digits than this (every integer field of the API is bounded far below 1e15)."""
MAX_NUMBER = 1e15
"""Largest magnitude of a decimal number (form numbers are bounded by it in the OpenAPI document)."""
MAX_STRING = 100_000
"""Characters in one string (the longest text field, an article's Markdown, allows 50,000)."""
MAX_ITEMS = 10_000
"""Members of one object or items of one array."""

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


class _Limit(ValueError):
    def __init__(self, code: str, params: dict[str, Any]) -> None:
        super().__init__(code)
        self.code, self.params = code, params


def depth(text: str) -> int:
    """How deeply arrays and objects nest in ``text``, counted without recursion (strings skipped)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(itertools.accumulate(_STEP[c] for c in brackets), default=0)


def _int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise _Limit("json_number_too_long", {"limit": MAX_INT_DIGITS})
    return int(digits)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or abs(value) > MAX_NUMBER:
        raise _Limit("json_number_too_large", {"limit": "1e15"})
    return value


def _constant(name: str) -> Any:
    raise _Limit("json_number_too_large", {"limit": "1e15"})


def loads(text: str) -> Any:
    """``text`` parsed as JSON, or a :class:`BadRequest` naming the problem or the limit broken."""
    if depth(text) > MAX_DEPTH:
        raise BadRequest("json_too_deep", {"limit": MAX_DEPTH})
    try:
        data = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except _Limit as error:
        raise BadRequest(error.code, error.params) from error
    except json.JSONDecodeError as error:
        raise BadRequest("malformed_json", {"detail": f"{error.msg} (pos {error.pos})"}) from error
    except RecursionError as error:  # unreachable after the depth check; kept as the last guard
        raise BadRequest("json_too_deep", {"limit": MAX_DEPTH}) from error
    _check_sizes(data)
    return data


def _check_sizes(data: Any) -> None:
    """Strings, objects and arrays within their limits; no lone surrogate (it cannot be stored)."""
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            _check_string(value)
        elif isinstance(value, dict):
            if len(value) > MAX_ITEMS:
                raise BadRequest("json_too_many_items", {"limit": MAX_ITEMS})
            for key in value:
                _check_string(key)
            pending.extend(value.values())
        elif isinstance(value, list):
            if len(value) > MAX_ITEMS:
                raise BadRequest("json_too_many_items", {"limit": MAX_ITEMS})
            pending.extend(value)


def _check_string(value: str) -> None:
    if len(value) > MAX_STRING:
        raise BadRequest("json_string_too_long", {"limit": MAX_STRING})
    if _LONE_SURROGATE.search(value):
        raise BadRequest("malformed_json", {"detail": "\\ud800-\\udfff"})
