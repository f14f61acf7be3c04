"""The base of the domain's pydantic models: each model's validator is built on its first use.

Building ~250 validators at import was most of a cold start (about 1 s of the API's import);
with ``defer_build`` a Lambda builds only those its invocations touch. Behaviour is unchanged:
validation, serialisation and JSON schemas build the model when first asked.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

M = TypeVar("M", bound=BaseModel)


class Model(BaseModel):
    """``BaseModel`` with deferred validator building; subclasses' own ``model_config`` merges in."""

    model_config = ConfigDict(defer_build=True)


def copied(target: type[M], source: BaseModel, **rest: Any) -> M:
    """A ``target`` (a view of a stored record) holding every field it shares by name with
    ``source``, and ``rest``: what the view adds or words differently."""
    shared = {
        name: getattr(source, name) for name in target.model_fields if name in type(source).model_fields
    }
    return target(**{**shared, **rest})
