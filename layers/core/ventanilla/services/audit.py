"""The audit trail (F4): one append-only record per change of configuration, content, staff, roles
or teams; admins read and export it, nobody edits it.

:func:`record` is the one call any service or route makes after a change it has written; the API's
``route(..., audit=...)`` calls it for every admin route that changes something.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import re
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel

from ventanilla import clock, spreadsheet
from ventanilla.auth import Principal
from ventanilla.errors import BadRequest
from ventanilla.models.audit import AuditList, AuditRecord, Change
from ventanilla.storage import audit as store
from ventanilla.storage.table import cursor_in, cursor_out

READERS = ("admin",)
MAX_CHANGES = 200
MAX_VALUE_CHARS = 500
MAX_MONTHS = 25
"""A page reads at most this many month partitions (two years of a quiet trail)."""
EXPORT_LIMIT = 5000


def record(
    principal: Principal,
    kind: str,
    action: str,
    target: str = "",
    before: Any = None,
    after: Any = None,
    *,
    source_ip: str | None = None,
    method: str = "",
    path: str = "",
) -> AuditRecord:
    """Append one audit record of a change ``principal`` made (``before``/``after``: models, dicts,
    lists or scalars; None means absent). Returns what was written."""
    changes = diff(_plain(before), _plain(after))
    entry = AuditRecord(
        id=uuid.uuid4().hex,
        at=clock.now(),
        actor_sub=principal.sub,
        actor=principal.username,
        kind=kind,
        action=action,
        target=target,
        method=method,
        path=path,
        changes=changes[:MAX_CHANGES],
        truncated=len(changes) > MAX_CHANGES,
        ip_hash=ip_hash(source_ip) if source_ip else "",
    )
    store.put(entry)
    return entry


def ip_hash(address: str) -> str:
    """A keyed hash of an address: the same address gives the same hash (to see that two changes
    came from one place) but the address cannot be recovered by trying all IPv4 addresses."""
    return hmac.new(_key(), address.encode(), hashlib.sha256).hexdigest()[:32]


def _key() -> bytes:
    try:
        from ventanilla.integrations.secrets import notify_secret

        return b"audit:" + notify_secret()
    except Exception:
        return b"audit:ventanilla"


SECRET_FIELDS = frozenset(
    {"key", "api_key", "secret", "password", "token", "access_code", "temporary_password"}
)
"""Fields an answer may carry once (an issued API key, a secret) and no audit record may keep:
the record says that they changed, not their value."""
REDACTED = "[secreto]"


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return _plain(json.loads(value.model_dump_json()))
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): REDACTED if str(k) in SECRET_FIELDS else _plain(v) for k, v in value.items()}
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict) and value:
        for key in sorted(value):
            _flatten(value[key], f"{prefix}.{key}" if prefix else key, out)
    elif isinstance(value, list) and value and any(isinstance(v, dict | list) for v in value):
        for i, item in enumerate(value):
            _flatten(item, f"{prefix}[{i}]", out)
    else:
        out[prefix] = value


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        return value[:MAX_VALUE_CHARS] + "…"
    if isinstance(value, list | dict):
        text = json.dumps(value, ensure_ascii=False)
        return value if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "…"
    return value


def diff(before: Any, after: Any) -> list[Change]:
    """What changed between two JSON values, as dotted paths (lists of scalars compare whole)."""
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    if before is not None:
        _flatten(before, "", old)
    if after is not None:
        _flatten(after, "", new)
    paths = sorted(set(old) | set(new))
    return [
        Change(path=p or "value", before=_short(old.get(p)), after=_short(new.get(p)))
        for p in paths
        if old.get(p) != new.get(p)
    ]


# ---- reading ------------------------------------------------------------------------------------

KIND = re.compile(r"^[a-z][a-z0-9-]{0,40}$")


def _bounds(since: date | None, until: date | None) -> tuple[datetime, datetime]:
    end = datetime.combine(until, time.max, UTC) if until else clock.now()
    start = datetime.combine(since, time.min, UTC) if since else end - timedelta(days=365)
    if start > end or (end - start).days > 731:
        raise BadRequest("audit_period")
    return start, end


def _months(start: datetime, end: datetime) -> list[str]:
    months: list[str] = []
    year, month = end.year, end.month
    while (year, month) >= (start.year, start.month) and len(months) < MAX_MONTHS:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


def list_records(
    principal: Principal,
    *,
    since: date | None = None,
    until: date | None = None,
    kind: str | None = None,
    actor: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> AuditList:
    """The records in a period, newest first, optionally of one kind or one actor."""
    principal.require(*READERS)
    start, end = _bounds(since, until)
    position = cursor_in(cursor)
    if position is not None and not str(position.get("PK", "")).startswith("AUDIT#"):
        raise BadRequest("invalid_cursor")
    months = _months(start, end)
    if position is not None:
        current = position["PK"].removeprefix("AUDIT#")
        if current not in months:
            raise BadRequest("invalid_cursor")
        months = months[months.index(current) :]
    items: list[AuditRecord] = []
    last: dict[str, Any] | None = position
    for month in months:
        start_key = last if last and last.get("PK") == f"AUDIT#{month}" and last.get("SK") != "~" else None
        while True:
            page, lek = store.query_month(
                month,
                limit=limit - len(items),
                start=start_key,
                before=end.isoformat() + "~",
                after=start.isoformat(),
                kind=kind,
                actor=actor,
            )
            items.extend(page)
            if len(items) >= limit and lek:
                return AuditList(items=items, next_cursor=cursor_out(lek))
            if len(items) >= limit:
                break
            if not lek:
                break
            start_key = lek
        if len(items) >= limit:
            index = months.index(month)
            following = months[index + 1 : index + 2]
            nxt = {"PK": f"AUDIT#{following[0]}", "SK": "~"} if following else None
            return AuditList(items=items, next_cursor=cursor_out(nxt))
        last = None
    return AuditList(items=items, next_cursor=None)


def export(principal: Principal, fmt: str, **filters: Any) -> str:
    """Every record the filters select (at most EXPORT_LIMIT) as CSV or JSON Lines."""
    principal.require(*READERS)
    records: list[AuditRecord] = []
    cursor = None
    while len(records) < EXPORT_LIMIT:
        page = list_records(principal, limit=200, cursor=cursor, **filters)
        records.extend(page.items)
        cursor = page.next_cursor
        if not cursor:
            break
    records = records[:EXPORT_LIMIT]
    if fmt == "jsonl":
        return "".join(r.model_dump_json() + "\n" for r in records)
    out = io.StringIO()
    writer = spreadsheet.writer(out)
    writer.writerow(["at", "actor", "kind", "action", "target", "method", "path", "changes", "ip_hash"])
    for r in records:
        changes = json.dumps([c.model_dump(mode="json") for c in r.changes], ensure_ascii=False)
        writer.writerow(
            [r.at.isoformat(), r.actor, r.kind, r.action, r.target, r.method, r.path, changes, r.ip_hash]
        )
    return out.getvalue()
