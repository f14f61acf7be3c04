"""A Query that reads one partition, for the local moto server.

moto answers every Query by listing the whole table, sorted, and keeping the items of the asked
partition: each request costs O(n log n) in the items stored, so the local stack slowed down as a
demo or a test run filled its table (a ticket's history read cost 200 ms with a few thousand
tickets). DynamoDB reads only the partition. Here a base-table Query lists only the partition's
items (moto then filters and sorts them as before), and an index Query skips the table-wide sort
(moto sorts the index's matches by the index's own keys afterwards). Scans are unchanged.

The outcome is moto's own: ``tests/integration/test_moto_queries.py`` runs the same queries
against plain moto and against this one and compares every page.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.dynamodb.models.table import Table

_scope = threading.local()
_original_query = Table.query
_original_all_items = Table.all_items


def _query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    index = kwargs.get("index_name") if "index_name" in kwargs else (args[6] if len(args) > 6 else None)
    _scope.mode = ("index",) if index else ("partition", hash_key)
    try:
        return _original_query(self, hash_key, *args, **kwargs)
    finally:
        _scope.mode = None


def _all_items(self: Table) -> list[Any]:
    mode = getattr(_scope, "mode", None)
    if mode is None:
        return _original_all_items(self)
    _scope.mode = None  # once per Query: anything else this request lists is listed as moto does
    if mode[0] == "index":
        items: list[Any] = []
        for hash_set in self.items.values():
            items.extend(hash_set.values() if self.range_key_attr else [hash_set])
        return items
    found = self.items.get(mode[1]) if mode[1] is not None else None
    if found is None:
        return []
    return list(found.values()) if self.range_key_attr else [found]


def install() -> None:
    Table.query = _query  # type: ignore[method-assign]
    Table.all_items = _all_items  # type: ignore[method-assign]


def uninstall() -> None:
    Table.query = _original_query  # type: ignore[method-assign]
    Table.all_items = _original_all_items  # type: ignore[method-assign]
