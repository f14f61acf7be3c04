"""The base of the domain's pydantic models: each model's validator is built on its first use.

Building ~250 validators at import was most of a cold start (about 1 s of the API's import);
with ``defer_build`` a Lambda builds only those its invocations touch. Behaviour is unchanged:
validation, serialisation and JSON schemas build the model when first asked.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """``BaseModel`` with deferred validator building; subclasses' own ``model_config`` merges in."""

    model_config = ConfigDict(defer_build=True)
