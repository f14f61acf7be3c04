"""Reads template.yaml and resolves the intrinsic functions the local stack needs (Ref, GetAtt, Sub)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"


class _Loader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Ref, !GetAtt, !Sub...) as their long forms."""


def _tag(name: str) -> Any:
    def construct(loader: _Loader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if name == "Fn::GetAtt":
                value = str(value).split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {"Ref" if name == "Ref" else name: value}

    return construct


for _short in (
    "Ref",
    "GetAtt",
    "Sub",
    "Join",
    "Select",
    "Split",
    "If",
    "Equals",
    "Not",
    "And",
    "Or",
    "FindInMap",
    "ImportValue",
):
    _Loader.add_constructor(f"!{_short}", _tag("Ref" if _short == "Ref" else f"Fn::{_short}"))


def load(path: Path = TEMPLATE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.load(handle, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    return data


NO_VALUE = "AWS::NoValue"


def evaluate(expression: Any, resolve: Any) -> Any:
    """A condition expression (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition) as a bool;
    ``resolve`` gives the values of Refs (and of other conditions, through ``condition``)."""
    if isinstance(expression, dict) and len(expression) == 1:
        ((key, arg),) = expression.items()
        if key == "Fn::Equals":
            left, right = (evaluate(a, resolve) for a in arg)
            return str(left) == str(right)
        if key == "Fn::Not":
            return not evaluate(arg[0], resolve)
        if key == "Fn::And":
            return all(evaluate(a, resolve) for a in arg)
        if key == "Fn::Or":
            return any(evaluate(a, resolve) for a in arg)
        if key == "Condition":
            return resolve.condition(arg)
        return resolve(expression)
    return expression


def with_parameters(template: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """The template as CloudFormation would deploy it with these parameter values: resources and
    outputs whose condition is false dropped, every Fn::If chosen, AWS::NoValue removed; other
    intrinsic functions left as they are."""
    params = {n: str(s.get("Default", "")) for n, s in (template.get("Parameters") or {}).items()}
    params.update(values)

    class _Conditions:
        def condition(self, name: str) -> bool:
            return bool(evaluate(template["Conditions"][name], self))

        def __call__(self, value: Any) -> Any:
            if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in params:
                return params[value["Ref"]]
            return value

    cond = _Conditions()

    def choose(value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {"Fn::If"}:
            name, when_true, when_false = value["Fn::If"]
            return choose(when_true if cond.condition(name) else when_false)
        if isinstance(value, dict):
            out = {k: choose(v) for k, v in value.items()}
            return {k: v for k, v in out.items() if v != {"Ref": NO_VALUE}}
        if isinstance(value, list):
            return [v for v in (choose(v) for v in value) if v != {"Ref": NO_VALUE}]
        return value

    out = dict(template)
    for section in ("Resources", "Outputs"):
        kept = {
            name: spec
            for name, spec in (template.get(section) or {}).items()
            if "Condition" not in spec or cond.condition(spec["Condition"])
        }
        out[section] = choose(kept)
    out["Globals"] = choose(template.get("Globals") or {})
    return out


class Resolver:
    """Values of Ref/GetAtt/Sub given what has been provisioned so far."""

    def __init__(self, template: dict[str, Any], stack: str, region: str) -> None:
        self.template = template
        self.stack = stack
        self.region = region
        self.refs: dict[str, str] = {}
        self.attrs: dict[tuple[str, str], str] = {}
        for name, spec in (template.get("Parameters") or {}).items():
            if "Default" in spec:
                self.refs[name] = str(spec["Default"])
        self.refs.update(
            {
                "AWS::StackName": stack,
                "AWS::Region": region,
                "AWS::AccountId": "123456789012",
                "AWS::Partition": "aws",
            }
        )

    def condition(self, name: str) -> bool:
        """A condition of the template's Conditions, with the parameters as they are now."""
        return bool(evaluate(self.template["Conditions"][name], self))

    def active(self, spec: dict[str, Any]) -> bool:
        """False for a resource whose Condition is false (it is not created)."""
        return "Condition" not in spec or self.condition(spec["Condition"])

    def __call__(self, value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Fn::If":
                name, when_true, when_false = arg
                return self(when_true if self.condition(name) else when_false)
            if key == "Ref" and arg == NO_VALUE:
                return NO_VALUE
            if key == "Ref":
                return self.refs[arg]
            if key == "Fn::GetAtt":
                return self.attrs[(arg[0], arg[1])]
            if key == "Fn::Sub":
                text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
                return re.sub(r"\$\{([^}]+)\}", lambda m: self._sub(m.group(1), extra), text)
        if isinstance(value, dict):
            resolved = {k: self(v) for k, v in value.items()}
            return {k: v for k, v in resolved.items() if v != NO_VALUE}
        if isinstance(value, list):
            return [v for v in (self(v) for v in value) if v != NO_VALUE]
        return value

    def _sub(self, name: str, extra: dict[str, Any]) -> str:
        if name in extra:
            return str(self(extra[name]))
        if "." in name:
            logical, attr = name.split(".", 1)
            return self.attrs[(logical, attr)]
        return self.refs[name]

    def physical_name(self, logical: str) -> str:
        return f"{self.stack}-{logical}".lower()
