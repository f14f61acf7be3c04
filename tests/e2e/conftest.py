"""The whole local stack as ``make dev`` runs it, in a subprocess on a free port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.stack_process import local_stack


@pytest.fixture(scope="session")
def stack_url() -> Iterator[str]:
    with local_stack("e2e-stack.log") as url:
        yield url
