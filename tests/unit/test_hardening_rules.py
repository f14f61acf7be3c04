"""Pure parts of the hardening: the safe JSON parser never lets anything but a 400 out, the
reassignment matrix, and every example shown to people passes its own validator."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ventanilla import safe_json
from ventanilla.errors import BadRequest, Forbidden
from ventanilla.i18n import message
from ventanilla.notify.contacts import EXAMPLE_PHONE, normalize_phone
from ventanilla.rules.reassignment import check_reassign

ROOT = Path(__file__).resolve().parents[2]
JSON_ISH = st.text(alphabet='[]{}":,0123456789.eE+-truefalsn \\u', max_size=300)


@settings(max_examples=400, deadline=None)
@given(JSON_ISH | st.text(max_size=200))
def test_safe_loads_answers_a_value_or_a_bad_request(text: str) -> None:
    try:
        safe_json.loads(text)
    except BadRequest as error:
        assert message(error.code, "es", **error.params) != message("invalid", "es")


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers(-(10**15), 10**15) | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
        max_leaves=30,
    )
)
def test_safe_loads_reads_what_json_wrote(value: object) -> None:
    text = json.dumps(value)
    if safe_json.depth(text) <= safe_json.MAX_DEPTH:
        assert safe_json.loads(text) == value


def test_depth_ignores_brackets_inside_strings() -> None:
    assert safe_json.depth(json.dumps({"a": "[[[[{{{{" * 50, "b": ["]"]})) == 2


TEAMS = ("atencion",)
CASES = [
    # actor roles, actor teams, current, target, assignee roles, allowed
    ({"agent-l1"}, TEAMS, "atencion", "atencion", ["agent-l2"], True),
    ({"agent-l1"}, TEAMS, "atencion", "atencion", None, True),
    ({"agent-l1"}, TEAMS, "atencion", "atencion", ["supervisor"], False),
    ({"agent-l1"}, TEAMS, "atencion", "atencion", ["admin"], False),
    ({"agent-l1"}, ("atencion", "tecnico"), "atencion", "tecnico", ["agent-l1"], False),
    ({"agent-l1"}, TEAMS, "atencion", "tecnico", None, False),
    ({"agent-l2"}, ("atencion", "tecnico"), "atencion", "tecnico", ["supervisor"], True),
    ({"agent-l2"}, ("atencion", "tecnico"), "atencion", "transparencia", None, False),
    ({"agent-l3"}, ("tecnico",), "tecnico", "tecnico", ["admin"], True),
    ({"agent-l3"}, ("tecnico",), "tecnico", "atencion", None, False),
    ({"supervisor"}, (), "atencion", "tecnico", ["supervisor"], True),
    ({"admin"}, (), "atencion", "transparencia", ["agent-l1"], True),
    ({"editor"}, ("atencion",), "atencion", "tecnico", None, False),
]


@pytest.mark.parametrize(("roles", "teams", "current", "target", "assignee", "allowed"), CASES)
def test_reassignment_matrix(
    roles: set[str],
    teams: tuple[str, ...],
    current: str,
    target: str,
    assignee: list[str] | None,
    allowed: bool,
) -> None:
    if allowed:
        check_reassign(roles, teams, current, target, assignee)
    else:
        with pytest.raises(Forbidden):
            check_reassign(roles, teams, current, target, assignee)


def _phones(text: str) -> list[str]:
    return re.findall(r"\+\d[\d ]+\d", text)


def test_every_phone_example_shown_passes_the_validator() -> None:
    shown = [message("invalid_phone", lang, example=EXAMPLE_PHONE) for lang in ("es", "en")]
    with pytest.raises(ValueError) as error:
        normalize_phone("12")
    shown.append(str(error.value))
    for name in ("es.json", "en.json"):
        shown += [str(v) for v in json.loads((ROOT / "web" / "i18n" / name).read_text()).values()]
    examples = [p for text in shown for p in _phones(text)]
    assert len(examples) >= 5, examples
    for example in examples:
        assert normalize_phone(example).startswith("+56"), example
