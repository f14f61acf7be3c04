"""Asset inventory items (keys documented in :mod:`ventanilla.storage.table`).

    asset type     ASSETTYPES          TYPE#<code>
    location       ASSETLOCS           LOC#<code>
    asset          ASSET#<inv>         ASSET     GSI1 ASSETTYPE#<type> / <inv>
                                                 GSI4 (GSI1PK) ASSETTYPE#<type> / <warranty_end>#<inv>
                                                 GSI2 ASSETLOC#<location> / <inv>
                                                 GSI3 ASSETTEAM#<team> / <inv>
    asset history  ASSET#<inv>         EV#<at>#<id>      append-only (who, when, before / after)
    linked request ASSET#<inv>         REQ#<number>      GSI1 REQASSETS#<number> / <inv>
    licence seat   ASSET#<inv>         SEAT#<holder>
    responsible    ASSETRESP#<person>  ASSET#<inv>       "my equipment": the key of the responsible
    alias          ASSETALIAS#<kind>#<value>  ALIAS      host name or serial -> inventory number (unique)
    asset counts   ASSETCOUNTS         ALL               ADD counters type#, status#, loc#, team#
    incidents      ASSETINC#<yyyy-mm>  <inv>             ADD count of links made that month

Every write of an asset is one transaction: the asset conditioned on its version (or on not
existing: the inventory number is unique), its history event (attribute_not_exists), its alias
and responsible items, and the counters' ADDs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from ventanilla.models.assets import Asset, AssetEvent, AssetLocation, AssetType, Seat
from ventanilla.models.common import iso
from ventanilla.storage.table import (
    batch_read,
    client,
    cursor_in,
    cursor_out,
    from_item,
    table,
    to_item,
    transact,
    written,
)

NO_WARRANTY = "9999-12-31"
MAX_LIST = 500


class VersionConflict(Exception):
    """The asset changed since it was read, or (on create) the inventory number is taken."""


class AliasTaken(Exception):
    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def asset_pk(inv: str) -> str:
    return f"ASSET#{inv}"


def alias_key(kind: str, value: str) -> dict[str, str]:
    return {"PK": f"ASSETALIAS#{kind}#{value.strip().lower()}", "SK": "ALIAS"}


def aliases_of(asset: Asset) -> dict[str, str]:
    out = {}
    if asset.hostname:
        out["host"] = asset.hostname
    if asset.serial:
        out["serial"] = asset.serial
    return out


def asset_item(asset: Asset) -> dict[str, Any]:
    inv = asset.inventory_number
    item = to_item(
        asset,
        PK=asset_pk(inv),
        SK="ASSET",
        entity="asset",
        GSI1PK=f"ASSETTYPE#{asset.type}",
        GSI1SK=inv,
        GSI4SK=f"{asset.warranty_end.isoformat() if asset.warranty_end else NO_WARRANTY}#{inv}",
        GSI3PK=f"ASSETTEAM#{asset.team}",
        GSI3SK=inv,
    )
    if asset.location:
        item.update(GSI2PK=f"ASSETLOC#{asset.location}", GSI2SK=inv)
    return item


def _asset(item: dict[str, Any]) -> Asset:
    return Asset.model_validate(from_item(item))


def event_item(inv: str, event: AssetEvent) -> dict[str, Any]:
    return to_item(event, PK=asset_pk(inv), SK=f"EV#{iso(event.at)}#{event.event_id}", entity="asset_event")


def _event_put(inv: str, event: AssetEvent) -> dict[str, Any]:
    """A transaction's Put of an asset's history event."""
    return {"Put": {"TableName": table().name, "Item": event_item(inv, event)}}


def _add_to_asset(inv: str, attribute: str, delta: int, condition: str | None = None) -> dict[str, Any]:
    """A transaction's Update adding ``delta`` to a counter of the asset item (a new version)."""
    update: dict[str, Any] = {
        "TableName": table().name,
        "Key": {"PK": asset_pk(inv), "SK": "ASSET"},
        "UpdateExpression": f"ADD {attribute} :delta, version :one",
        "ExpressionAttributeValues": {":delta": delta, ":one": 1},
    }
    if condition:
        update["ConditionExpression"] = condition
    return {"Update": update}


def _counter_deltas(before: Asset | None, after: Asset | None) -> dict[str, int]:
    deltas: dict[str, int] = {}
    for sign, asset in ((-1, before), (1, after)):
        if asset is None:
            continue
        for name in (
            f"type#{asset.type}",
            f"status#{asset.status.value}",
            f"loc#{asset.location or '-'}",
            f"team#{asset.team}",
        ):
            deltas[name] = deltas.get(name, 0) + sign
    return {k: v for k, v in deltas.items() if v}


def write_asset(before: Asset | None, after: Asset, event: AssetEvent) -> None:
    """One transaction: asset (new, or conditioned on ``before.version``), history, aliases,
    responsible index, counters. Raises VersionConflict or AliasTaken; writes nothing then."""
    name = table().name
    inv = after.inventory_number
    items: list[dict[str, Any]] = []
    if before is None:
        items.append(
            {
                "Put": {
                    "TableName": name,
                    "Item": asset_item(after),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            }
        )
    else:
        items.append(
            {
                "Put": {
                    "TableName": name,
                    "Item": asset_item(after),
                    "ConditionExpression": "version = :v",
                    "ExpressionAttributeValues": {":v": before.version},
                }
            }
        )
    items.append(
        {
            "Put": {
                "TableName": name,
                "Item": event_item(inv, event),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }
    )
    alias_kinds: list[str] = []
    old_aliases = aliases_of(before) if before else {}
    new_aliases = aliases_of(after)
    for kind, value in new_aliases.items():
        if old_aliases.get(kind, "").lower() == value.lower():
            continue
        alias_kinds.append(kind)
        items.append(
            {
                "Put": {
                    "TableName": name,
                    "Item": {**alias_key(kind, value), "entity": "asset_alias", "inventory_number": inv},
                    "ConditionExpression": "attribute_not_exists(PK) OR inventory_number = :inv",
                    "ExpressionAttributeValues": {":inv": inv},
                }
            }
        )
    for kind, value in old_aliases.items():
        if new_aliases.get(kind, "").lower() != value.lower():
            items.append({"Delete": {"TableName": name, "Key": alias_key(kind, value)}})
    old_resp = before.responsible.key() if before and before.responsible else None
    new_resp = after.responsible.key() if after.responsible else None
    if old_resp and old_resp != new_resp:
        items.append(
            {"Delete": {"TableName": name, "Key": {"PK": f"ASSETRESP#{old_resp}", "SK": f"ASSET#{inv}"}}}
        )
    if new_resp and new_resp != old_resp:
        items.append(
            {
                "Put": {
                    "TableName": name,
                    "Item": {"PK": f"ASSETRESP#{new_resp}", "SK": f"ASSET#{inv}", "entity": "asset_resp"},
                }
            }
        )
    deltas = _counter_deltas(before, after)
    if deltas:
        names = {f"#c{i}": k for i, k in enumerate(deltas)}
        values = {f":c{i}": v for i, v in enumerate(deltas.values())}
        items.append(
            {
                "Update": {
                    "TableName": name,
                    "Key": {"PK": "ASSETCOUNTS", "SK": "ALL"},
                    "UpdateExpression": "ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(deltas))),
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": values,
                }
            }
        )
    canceled = transact(items)
    if canceled is None:
        return
    if canceled.failed(0):
        raise VersionConflict from canceled.error
    for offset, kind in enumerate(alias_kinds):
        if canceled.failed(2 + offset):
            raise AliasTaken(kind) from canceled.error
    raise canceled.error


def remove_created(asset: Asset) -> None:
    """Undo an import's create (a later row's write failed): the asset, its items, its counts."""
    inv = asset.inventory_number
    keys = [{"PK": asset_pk(inv), "SK": "ASSET"}]
    keys += [alias_key(kind, value) for kind, value in aliases_of(asset).items()]
    if asset.responsible:
        keys.append({"PK": f"ASSETRESP#{asset.responsible.key()}", "SK": f"ASSET#{inv}"})
    events = (
        table()
        .query(KeyConditionExpression=Key("PK").eq(asset_pk(inv)) & Key("SK").begins_with("EV#"), Limit=10)
        .get("Items", [])
    )
    keys += [{"PK": e["PK"], "SK": e["SK"]} for e in events]
    with table().batch_writer() as batch:
        for key in keys:
            batch.delete_item(Key=key)
    deltas = {k: -v for k, v in _counter_deltas(None, asset).items()}
    add_counters(deltas)


def add_counters(deltas: dict[str, int]) -> None:
    if not deltas:
        return
    table().update_item(
        Key={"PK": "ASSETCOUNTS", "SK": "ALL"},
        UpdateExpression="ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(deltas))),
        ExpressionAttributeNames={f"#c{i}": k for i, k in enumerate(deltas)},
        ExpressionAttributeValues={f":c{i}": v for i, v in enumerate(deltas.values())},
    )


def get_asset(inv: str) -> Asset | None:
    item = table().get_item(Key={"PK": asset_pk(inv), "SK": "ASSET"}).get("Item")
    return _asset(item) if item else None


def get_many(invs: Iterable[str]) -> dict[str, Asset]:
    """BatchGetItem of up to 100 assets by inventory number."""
    wanted = list(dict.fromkeys(invs))[:100]
    items, _ = batch_read([{"PK": asset_pk(i), "SK": "ASSET"} for i in wanted], attempts=None)
    assets = [_asset(item) for item in items]
    return {a.inventory_number: a for a in assets}


def existing(invs: Iterable[str]) -> set[str]:
    """Which of these inventory numbers are taken (an import's check before it writes)."""
    keys = [{"PK": asset_pk(i), "SK": "ASSET"} for i in dict.fromkeys(invs)]
    items, _ = batch_read(keys, projection="inventory_number", attempts=None)
    return {str(i["inventory_number"]) for i in items}


def aliases_taken(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(kind, value) -> inventory number, for the aliases already held."""
    wanted = list(dict.fromkeys((k, v.strip().lower()) for k, v in pairs))
    out: dict[tuple[str, str], str] = {}
    items, _ = batch_read([alias_key(k, v) for k, v in wanted], attempts=None)
    for item in items:
        _, kind, value = str(item["PK"]).split("#", 2)
        out[(kind, value)] = str(item["inventory_number"])
    return out


def find_alias(kind: str, value: str) -> str | None:
    item = table().get_item(Key=alias_key(kind, value)).get("Item")
    return str(item["inventory_number"]) if item else None


def list_by(
    index: str,
    partition: str,
    limit: int,
    cursor: str | None,
    *,
    prefix: str | None = None,
    status: str | None = None,
    teams: tuple[str, ...] | None = None,
) -> tuple[list[Asset], str | None]:
    """One page of a listing partition (GSI1 type, GSI2 location, GSI3 team), by inventory number;
    ``prefix`` narrows on the sort key, status and teams filter the page read."""
    pk, sk = {"GSI1": ("GSI1PK", "GSI1SK"), "GSI2": ("GSI2PK", "GSI2SK"), "GSI3": ("GSI3PK", "GSI3SK")}[index]
    condition: Any = Key(pk).eq(partition)
    if prefix:
        condition = condition & Key(sk).begins_with(prefix)
    kwargs: dict[str, Any] = {"IndexName": index, "KeyConditionExpression": condition, "Limit": limit}
    filters: Any = Attr("entity").eq("asset")
    if status:
        filters = filters & Attr("status").eq(status)
    if teams is not None:
        filters = filters & Attr("team").is_in(list(teams) or ["-"])
    kwargs["FilterExpression"] = filters
    start = cursor_in(cursor)
    if start:
        kwargs["ExclusiveStartKey"] = start
    response = table().query(**kwargs)
    return [_asset(i) for i in response.get("Items", [])], cursor_out(response.get("LastEvaluatedKey"))


def list_responsible(person_key: str, limit: int, cursor: str | None) -> tuple[list[Asset], str | None]:
    """The assets of one responsible person: a Query of their index partition, then a BatchGetItem."""
    kwargs: dict[str, Any] = {
        "KeyConditionExpression": Key("PK").eq(f"ASSETRESP#{person_key}"),
        "Limit": limit,
    }
    start = cursor_in(cursor)
    if start:
        kwargs["ExclusiveStartKey"] = start
    response = table().query(**kwargs)
    invs = [str(i["SK"]).removeprefix("ASSET#") for i in response.get("Items", [])]
    found = get_many(invs)
    return [found[i] for i in invs if i in found], cursor_out(response.get("LastEvaluatedKey"))


def warranties_until(type_code: str, first: str, last: str, limit: int = MAX_LIST) -> list[Asset]:
    """Assets of a type whose warranty ends between two ISO days (GSI4: type, warranty end)."""
    response = table().query(
        IndexName="GSI4",
        KeyConditionExpression=Key("GSI1PK").eq(f"ASSETTYPE#{type_code}")
        & Key("GSI4SK").between(f"{first}#", f"{last}#~"),
        Limit=limit,
    )
    return [_asset(i) for i in response.get("Items", [])]


def history(inv: str, limit: int) -> list[AssetEvent]:
    response = table().query(
        KeyConditionExpression=Key("PK").eq(asset_pk(inv)) & Key("SK").begins_with("EV#"),
        ScanIndexForward=False,
        Limit=limit,
    )
    return [AssetEvent.model_validate(from_item(i)) for i in response.get("Items", [])]


def links(inv: str, limit: int) -> list[dict[str, Any]]:
    """The latest linked requests of an asset (newest number first)."""
    response = table().query(
        KeyConditionExpression=Key("PK").eq(asset_pk(inv)) & Key("SK").begins_with("REQ#"),
        ScanIndexForward=False,
        Limit=limit,
    )
    return [from_item(i) for i in response.get("Items", [])]


def seats(inv: str, limit: int) -> list[Seat]:
    response = table().query(
        KeyConditionExpression=Key("PK").eq(asset_pk(inv)) & Key("SK").begins_with("SEAT#"), Limit=limit
    )
    return [Seat.model_validate(from_item(i)) for i in response.get("Items", [])]


def assets_of_ticket(number: str, limit: int = 50) -> list[str]:
    response = table().query(
        IndexName="GSI1", KeyConditionExpression=Key("GSI1PK").eq(f"REQASSETS#{number}"), Limit=limit
    )
    return [str(i["GSI1SK"]) for i in response.get("Items", [])]


def link(inv: str, number: str, month: str, by: str, at: str, event: AssetEvent) -> bool:
    """Link (False when already linked): link item, incident counters, history, one transaction."""
    name = table().name
    return written(
        client().transact_write_items,
        TransactItems=[
            {
                "Put": {
                    "TableName": name,
                    "Item": {
                        "PK": asset_pk(inv),
                        "SK": f"REQ#{number}",
                        "entity": "asset_link",
                        "GSI1PK": f"REQASSETS#{number}",
                        "GSI1SK": inv,
                        "number": number,
                        "linked_at": at,
                        "linked_by": by,
                    },
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            _add_to_asset(inv, "incidents", 1, "attribute_exists(PK)"),
            {
                "Update": {
                    "TableName": name,
                    "Key": {"PK": f"ASSETINC#{month}", "SK": inv},
                    "UpdateExpression": "ADD incidents :one SET entity = :e",
                    "ExpressionAttributeValues": {":one": 1, ":e": "asset_incidents"},
                }
            },
            _event_put(inv, event),
        ],
    )


def _delete_existing(inv: str, sk: str) -> dict[str, Any]:
    """A transaction's delete of one of the asset's items, which must exist."""
    key = {"PK": asset_pk(inv), "SK": sk}
    return {"Delete": {"TableName": table().name, "Key": key, "ConditionExpression": "attribute_exists(PK)"}}


def unlink(inv: str, number: str, event: AssetEvent) -> bool:
    return written(
        client().transact_write_items,
        TransactItems=[_delete_existing(inv, f"REQ#{number}"), _event_put(inv, event)],
    )


def assign_seat(inv: str, seat: Seat, event: AssetEvent) -> str | None:
    """Take a seat: None when done, else why not (``full``, ``taken``)."""
    name = table().name
    canceled = transact(
        [
            _add_to_asset(inv, "seats_used", 1, "attribute_exists(PK) AND seats_used < seats"),
            {
                "Put": {
                    "TableName": name,
                    "Item": to_item(
                        seat, PK=asset_pk(inv), SK=f"SEAT#{seat.holder.lower()}", entity="asset_seat"
                    ),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            _event_put(inv, event),
        ]
    )
    if canceled is None:
        return None
    return "full" if canceled.failed(0) else "taken"


def release_seat(inv: str, holder: str, event: AssetEvent) -> bool:
    return written(
        client().transact_write_items,
        TransactItems=[
            _delete_existing(inv, f"SEAT#{holder.lower()}"),
            _add_to_asset(inv, "seats_used", -1),
            _event_put(inv, event),
        ],
    )


def counts() -> dict[str, int]:
    item = table().get_item(Key={"PK": "ASSETCOUNTS", "SK": "ALL"}).get("Item") or {}
    return {k: int(v) for k, v in from_item(item).items() if "#" in k and int(v)}


def incidents_in(months: list[str], limit: int = MAX_LIST) -> dict[str, int]:
    """Links made per asset over these months (one Query per month)."""
    totals: dict[str, int] = {}
    for month in months:
        response = table().query(KeyConditionExpression=Key("PK").eq(f"ASSETINC#{month}"), Limit=limit)
        for item in response.get("Items", []):
            totals[str(item["SK"])] = totals.get(str(item["SK"]), 0) + int(item["incidents"])
    return totals


# ---- admin lists ------------------------------------------------------------------------------


def list_types() -> list[AssetType]:
    response = table().query(KeyConditionExpression=Key("PK").eq("ASSETTYPES"), Limit=200)
    return [AssetType.model_validate(from_item(i)) for i in response.get("Items", [])]


def put_type(asset_type: AssetType) -> None:
    table().put_item(
        Item=to_item(asset_type, PK="ASSETTYPES", SK=f"TYPE#{asset_type.code}", entity="asset_type")
    )


def list_locations() -> list[AssetLocation]:
    response = table().query(KeyConditionExpression=Key("PK").eq("ASSETLOCS"), Limit=MAX_LIST)
    return [AssetLocation.model_validate(from_item(i)) for i in response.get("Items", [])]


def put_location(location: AssetLocation) -> None:
    table().put_item(
        Item=to_item(location, PK="ASSETLOCS", SK=f"LOC#{location.code}", entity="asset_location")
    )
