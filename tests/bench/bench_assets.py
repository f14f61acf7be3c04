"""The asset page's cost against the local stack: items read and AWS calls per page load, with 100
and with 10,000 assets stored.

The page (ventanilla.services.assets.view) reads one asset, its latest history and linked requests
(bounded Queries), the linked tickets (one BatchGetItem) and the two admin lists; neither the
number of items read nor the calls may grow with the inventory. Assets are written straight to
the table through the storage module (the same items the API writes), in batches, to reach 10,000
in reasonable time.
"""

from __future__ import annotations

import statistics
import time
import warnings
from collections import Counter
from typing import Any

from botocore.client import BaseClient

from tests.bench.sizes import size

warnings.filterwarnings("ignore")
CALLS: Counter[str] = Counter()
_original = BaseClient._make_api_call


def _counting(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
    CALLS[f"{self.meta.service_model.service_name}:{operation}"] += 1
    return _original(self, operation, params)


def _fill(upto: int, start: int) -> None:
    """Assets ``BULK-<n>`` from ``start`` to ``upto`` in batches (type, location, team rotate)."""
    from ventanilla.models.assets import Asset
    from ventanilla.models.common import utcnow
    from ventanilla.storage.assets import asset_item
    from ventanilla.storage.table import table

    now = utcnow()
    types = ("computador", "impresora", "telefono", "red")
    places = ("central-p1", "central-p2", "anexo-norte", "anexo-sur")
    with table().batch_writer() as batch:
        for n in range(start, upto):
            asset = Asset(
                inventory_number=f"BULK-{n:06d}",
                name=f"Equipo {n}",
                type=types[n % 4],
                location=places[n % 4],
                team="tecnico",
                status="in_use",
                created_at=now,
                updated_at=now,
                updated_by="bench",
            )
            batch.put_item(Item=asset_item(asset))


def main() -> None:
    from infra.local.stack import LocalStack

    stack = LocalStack(port=0)
    stack.start_aws()
    from infra.local import demo

    demo.seed_catalog()
    staff = {login.username: login for login in demo.seed_staff()}
    from ventanilla.auth import Principal
    from ventanilla.models.assets import AssetIn, AssetLinkIn
    from ventanilla.models.ticket import CreateTicketIn
    from ventanilla.services import assets, tickets

    ines = Principal(
        sub=staff["ines.inventario"].sub,
        username="ines.inventario",
        groups=frozenset({"inventory"}),
        name="Inés",
    )
    bruno = Principal(
        sub=staff["bruno.l2"].sub,
        username="bruno.l2",
        groups=frozenset({"agent-l2"}),
        name="Bruno",
        teams=("atencion", "tecnico", "transparencia"),
        tier="L2",
    )
    watched = assets.create(
        ines,
        AssetIn.model_validate(
            {"inventory_number": "PC-BENCH", "type": "computador", "name": "Notebook", "team": "tecnico"}
        ),
    )
    body = CreateTicketIn.model_validate(
        {
            "type": "soporte-interno",
            "subtype": "equipos",
            "form": {"unidad": "OIRS"},
            "subject": "No enciende",
            "description": "El notebook no enciende.",
            "requester": {"name": "Bench", "email": "bench@example.cl", "kind": "internal", "consent": True},
        }
    )
    for _ in range(size(8, 2)):  # an incident history to read
        number = tickets.create_ticket(body, by=bruno).number
        assets.link(bruno, number, AssetLinkIn(inventory_number=watched.inventory_number))
    BaseClient._make_api_call = _counting  # type: ignore[method-assign]
    print(f"{'assets stored':>14} {'p50 ms':>8} {'p95 ms':>8} {'items read':>11}  AWS calls per asset page")
    stored = 0
    reads: dict[int, int] = {}
    for target in size((100, 10_000), (5, 50)):
        BaseClient._make_api_call = _original  # type: ignore[method-assign]
        _fill(target, stored)
        stored = target
        BaseClient._make_api_call = _counting  # type: ignore[method-assign]
        samples = []
        CALLS.clear()
        runs = size(20, 3)
        for _ in range(runs):
            started = time.perf_counter()
            view = assets.view(bruno, watched.inventory_number)
            samples.append((time.perf_counter() - started) * 1000)
        per_page = {k: v // runs for k, v in sorted(CALLS.items())}
        samples.sort()
        reads[target] = view.read_items
        print(
            f"{target:>14,} {statistics.median(samples):>8.1f} {samples[int(len(samples) * 0.95) - 1]:>8.1f}"
            f" {view.read_items:>11}  {per_page}"
        )
    assert len(set(reads.values())) == 1, f"the asset page read more items with more assets: {reads}"
    BaseClient._make_api_call = _original  # type: ignore[method-assign]
    assert stack.moto is not None
    stack.moto.stop()
