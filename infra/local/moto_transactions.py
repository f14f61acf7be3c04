"""A cheaper TransactWriteItems for the local moto server.

moto keeps a transaction atomic by deep-copying the whole table once per item of the transaction,
so on a single-table design every create costs O(table size) several times over, and the local
stack slows down as demo or test data grows. The local server takes requests one at a time
(``SerialMotoServer``), so a transaction can instead check every condition first and write only
when all hold: the same outcome, all-or-nothing, at the cost of the items it touches. A write that
still fails (an invalid update expression, an item grown past the size limit) puts back the items
already written, the failing one included, and drops the stream records the transaction wrote.
tests/unit/test_moto_transactions.py runs the same transactions against moto's own and this one.

Counter updates (``SET #a = :a ADD #b :b, #c :c...``, what statistics write: dozens of ADDs per
item, dozens of items per transaction) take a direct path: moto parses, validates and executes
each update expression through a generic tree walk whose cost grows with the number of actions
times the item's attributes (about 14 ms an item, most of a statistics transaction). The direct
path applies the same rules (numbers only, no overlapping paths, key attributes untouched, the
item size limit) and writes one stream record, as DynamoDB does; anything else goes to moto.
Before any of it, moto's request handler parses every update expression once more only to check
which attribute names it uses; that parse is cached by expression text (a counters update's text
depends only on how many counters it adds, so the cache nearly always hits).
"""

from __future__ import annotations

import copy
import re
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple

import moto.dynamodb.responses as dynamodb_responses
from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ItemSizeToUpdateTooLarge,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

# moto marks its expression parser module `# type: ignore` as a whole: mypy sees none of its names
from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]


class _Moto(NamedTuple):
    transact_write_items: Any
    update_expression_parser: Any


MOTO_ORIGINALS = _Moto(DynamoDBBackend.transact_write_items, dynamodb_responses.UpdateExpressionParser)  # type: ignore[attr-defined]
"""What :func:`install` replaces, as moto has it (the contract test runs both)."""

OPERATIONS = {"ConditionCheck", "Put", "Delete", "Update"}
_SET = r"#?\w+ = :\w+"
_ADD = r"#?\w+ :\w+"
COUNTERS = re.compile(rf"^(?:SET ({_SET}(?:, {_SET})*) )?ADD ({_ADD}(?:, {_ADD})*)$")
MAX_ITEM_BYTES = 405_000
"""moto's own item size limit (DynamoDB's 400 KB, measured a little over)."""


def _key(backend: DynamoDBBackend, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return dict(op["Key"])
    table = backend.get_table(op["TableName"])
    key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = op["Item"][table.range_key_attr]
    return key


def _condition_error(backend: DynamoDBBackend, op: dict[str, Any], key: dict[str, Any]) -> Any:
    """None when the item's condition holds, else moto's cancellation reason for it."""
    current = backend.get_item(op["TableName"], key)
    expression = op.get("ConditionExpression")
    if expression is None:
        return (None, None, None)
    condition = get_filter_expression(
        expression, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
    )
    if condition.expr(current):
        return (None, None, None)
    old = None
    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
        old = current.to_json()["Attributes"]
    return ("ConditionalCheckFailed", "The conditional request failed", old)


def _number(value: str) -> Decimal | int:
    return Decimal(value) if "." in value or "e" in value.lower() else int(value)


def _add_counters(
    backend: DynamoDBBackend, op: dict[str, Any], key: dict[str, Any], old: Item | None
) -> bool:
    """Apply a counters update directly; False (nothing done) when it is not one."""
    match = COUNTERS.match(op["UpdateExpression"])
    if match is None:
        return False
    names = op.get("ExpressionAttributeNames") or {}
    values = op.get("ExpressionAttributeValues") or {}
    sets = [tuple(part.split(" = ")) for part in match.group(1).split(", ")] if match.group(1) else []
    adds = [tuple(part.split(" ")) for part in match.group(2).split(", ")]
    names = {**names, **{n: n for n, _ in (*sets, *adds) if not n.startswith("#")}}
    table = backend.get_table(op["TableName"])
    paths = [names.get(name) for name, _ in (*sets, *adds)]
    keys = {table.hash_key_attr, table.range_key_attr}
    if None in paths or len(set(paths)) != len(paths) or keys & set(paths):
        return False
    if any(value not in values for _, value in (*sets, *adds)):
        return False
    if any(set(values[value]) != {"N"} for _, value in adds):
        return False
    hash_value = DynamoType(key[table.hash_key_attr])
    range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    item = table.get_item(hash_value, range_value)
    if item is not None and any(
        names[name] in item.attrs and item.attrs[names[name]].type != "N" for name, _ in adds
    ):
        return False  # moto raises the ValidationException DynamoDB would
    if item is None:
        item = Item(hash_value, range_value, {k: v for k, v in key.items()})
        if range_value is not None:
            table.items[hash_value][range_value] = item
        else:
            table.items[hash_value] = item  # type: ignore[assignment]
    # dict.__setitem__: moto's attribute dict re-measures the whole item on every set
    for name, value in sets:
        dict.__setitem__(item.attrs, names[name], DynamoType(values[value]))
    for name, value in adds:
        current = item.attrs.get(names[name])
        total = _number(values[value]["N"]) + (_number(current.value) if current is not None else 0)
        dict.__setitem__(item.attrs, names[name], DynamoType({"N": f"{total}"}))
    if item.size() > MAX_ITEM_BYTES:
        raise ItemSizeToUpdateTooLarge()
    if table.stream_shard is not None:
        table.stream_shard.add(old, item)
    return True


def _write(
    backend: DynamoDBBackend, op_type: str, op: dict[str, Any], key: dict[str, Any], old: Item | None
) -> None:
    # moto's own request handler passes empty mappings for absent names and values
    names, values = op.get("ExpressionAttributeNames") or {}, op.get("ExpressionAttributeValues") or {}
    if op_type == "Update" and _add_counters(backend, op, key, old):  # conditions checked already
        return
    if op_type == "Put":
        backend.put_item(op["TableName"], op["Item"])
    elif op_type == "Delete":
        backend.delete_item(op["TableName"], key)
    elif op_type == "Update":
        backend.update_item(
            op["TableName"],
            key,
            update_expression=op["UpdateExpression"],
            condition_expression=None,
            expression_attribute_names=names,
            expression_attribute_values=values,
        )


def _tables(backend: DynamoDBBackend, plan: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> list[Table]:
    return [backend.get_table(name) for name in {op["TableName"] for _, op, _ in plan}]


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    plan: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    seen: set[tuple[str, str]] = set()
    for item in transact_items:
        if len(item) > 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(item.items()))
        if op_type not in OPERATIONS:
            raise ValueError("Unsupported transaction operation")
        key = _key(self, op_type, op)
        marker = (str(op["TableName"]), str(dict(sorted(key.items()))))
        if marker in seen:
            raise MultipleTransactionsException()
        seen.add(marker)
        plan.append((op_type, op, key))
    errors = [_condition_error(self, op, key) for _, op, key in plan]
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)
    written: list[tuple[str, dict[str, Any], Any]] = []
    shards = {t.stream_shard: len(t.stream_shard.items) for t in _tables(self, plan) if t.stream_shard}
    try:
        for op_type, op, key in plan:
            if op_type == "ConditionCheck":
                continue
            before = copy.deepcopy(self.get_item(op["TableName"], key))
            written.append((op["TableName"], key, before))  # undone too if it fails half-way
            _write(self, op_type, op, key, before)
    except Exception:
        for table_name, key, before in reversed(written):
            if before is None:
                self.delete_item(table_name, key)
            else:
                self.put_item(table_name, before.to_json()["Attributes"])
        for shard, length in shards.items():  # a cancelled transaction leaves no stream record
            del shard.items[length:]
        raise


class _ParsedOnce:
    """moto's UpdateExpressionParser for its request handler, which only reads the tree (the
    backend's update path parses for itself and copies the tree before changing it)."""

    make = staticmethod(lru_cache(maxsize=1024)(UpdateExpressionParser.make))


def install() -> None:
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    # the name moto's request handler imported from that module (see the import above)
    dynamodb_responses.UpdateExpressionParser = _ParsedOnce  # type: ignore[attr-defined]
