"""The local stack's state on disk (``make dev``): what survives a stop, a kill -9 included.

moto keeps everything in memory. The moto server already takes requests one at a time; every
write it answers with success (DynamoDB and EventBridge Scheduler) is appended to a journal and
flushed before the answer leaves, so a request the API acknowledged is on disk. At start the stack
provisions the same resources with moto's random generator seeded (the same user pool, client and
staff ids, so tokens and staff profiles still match), restores the notification secret, replays
the journal, rebuilds the search index from the table and puts the dev clock back. Queued
messages still in flight at a kill are not kept (a normal stop lets the queues drain first).
"""

from __future__ import annotations

import base64
import io
import json
import logging
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

log = logging.getLogger("ventanilla.local.persist")

RANDOM_SEED = 20_261_202
"""moto's ids (pools, clients, subs, ARNs) come from one generator: seeded, a restart makes the same."""
DYNAMODB_WRITES = frozenset(
    f"DynamoDB_20120810.{op}"
    for op in ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")
)
KEPT_HEADERS = ("HTTP_X_AMZ_TARGET", "CONTENT_TYPE", "HTTP_AUTHORIZATION")


def _is_write(environ: dict[str, Any]) -> bool:
    if environ.get("HTTP_X_AMZ_TARGET", "") in DYNAMODB_WRITES:
        return True
    path, method = str(environ.get("PATH_INFO", "")), environ.get("REQUEST_METHOD", "")
    return path.startswith("/schedules/") and method in ("POST", "PUT", "DELETE")


class Journal:
    """Successful writes of the moto server, one JSON line each; ``active`` once restored."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.active = False
        self._lock = threading.Lock()
        self._file: Any = None

    def start(self) -> None:
        self._file = self.path.open("a", encoding="utf-8")
        self.active = True

    def close(self) -> None:
        self.active = False
        if self._file is not None:
            self._file.close()

    def wrap(self, app: Callable[..., Iterable[bytes]]) -> Callable[..., list[bytes]]:
        """``app`` (a WSGI app) with its successful writes recorded before the answer is returned."""

        def journaled(environ: dict[str, Any], start_response: Any) -> list[bytes]:
            if not (self.active and _is_write(environ)):
                return list(app(environ, start_response))
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            statuses: list[str] = []

            def recording(status: str, headers: Any, exc_info: Any = None) -> Any:
                statuses.append(status)
                return start_response(status, headers, exc_info)

            answer = list(app(environ, recording))
            if statuses and statuses[0].startswith("2"):
                self._record(environ, body)
            return answer

        return journaled

    def _record(self, environ: dict[str, Any], body: bytes) -> None:
        line = {
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "query": environ.get("QUERY_STRING", ""),
            "headers": {k: environ[k] for k in KEPT_HEADERS if environ.get(k)},
            "body": base64.b64encode(body).decode(),
        }
        with self._lock:
            self._file.write(json.dumps(line) + "\n")
            self._file.flush()  # in the OS's hands: a killed process loses nothing acknowledged

    def entries(self) -> Iterator[dict[str, Any]]:
        """The recorded writes in order; a line cut short by a kill (the last one) is skipped."""
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as lines:
            for text in lines:
                try:
                    yield json.loads(text)
                except ValueError:
                    log.warning("journal: skipped a line cut short")


_HEADER_NAMES = {"HTTP_X_AMZ_TARGET": "X-Amz-Target", "CONTENT_TYPE": "Content-Type"}


def replay(journal: Journal, moto_url: str) -> tuple[int, int]:
    """Send every recorded write to the (fresh) moto server again; (replayed, refused)."""
    session = requests.Session()
    done = refused = 0
    for entry in journal.entries():
        headers = {_HEADER_NAMES.get(k, "Authorization"): v for k, v in entry["headers"].items()}
        url = moto_url + entry["path"] + (f"?{entry['query']}" if entry["query"] else "")
        answer = session.request(
            entry["method"], url, headers=headers, data=base64.b64decode(entry["body"]), timeout=60
        )
        done += 1
        if answer.status_code >= 300:
            refused += 1
            log.warning(
                "journal: a replayed write was refused (%s): %s", answer.status_code, answer.text[:200]
            )
    return done, refused


@dataclass
class DataDir:
    """What the local stack keeps in its data folder."""

    root: Path

    @property
    def journal(self) -> Path:
        return self.root / "journal.jsonl"

    @property
    def secret(self) -> Path:
        return self.root / "notify-secret.txt"

    @property
    def clock(self) -> Path:
        return self.root / "clock.json"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox.jsonl"

    def prepare(self, fresh: bool) -> bool:
        """Create the folder (emptied when ``fresh``); True when it holds a state to restore."""
        if fresh and self.root.exists():
            shutil.rmtree(self.root)
        self.root.mkdir(parents=True, exist_ok=True)
        return self.journal.exists() and self.journal.stat().st_size > 0 and self.secret.exists()

    def save_clock(self, offset_seconds: float) -> None:
        self.clock.write_text(json.dumps({"offset_seconds": offset_seconds}), encoding="utf-8")

    def saved_clock(self) -> float:
        if not self.clock.exists():
            return 0.0
        return float(json.loads(self.clock.read_text(encoding="utf-8")).get("offset_seconds", 0))
