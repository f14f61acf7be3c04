"""The local stack under load, as ``make dev`` runs it: creates per second over HTTP at concurrency 10,
with p50/p95, beside the raw PutItem rate of the same stack's moto server in the same run.

Every create goes the whole way (API, numbering, access code, schedules, stream consumers: SLA
timers, statistics, notices, outbox), so the figure is what a demo or a test suite can expect.
The numbers given out are checked: distinct and without gaps.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
import urllib.request
import uuid
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.bench.sizes import size

warnings.filterwarnings("ignore")
CONCURRENCY = 10


def _create_body(i: int) -> bytes:
    return json.dumps(
        {
            "type": "consulta",
            "subtype": "general",
            "subject": f"Consulta de carga {i}",
            "description": "¿Atienden los sábados en la oficina central?",
            "requester": {
                "name": "Vecina de Prueba",
                "email": f"carga-{uuid.uuid4().hex[:10]}@example.cl",
                "channels": ["email"],
                "consent": True,
            },
        }
    ).encode()


def _post(url: str, body: bytes) -> tuple[int, float, dict[str, Any]]:
    request = urllib.request.Request(
        url + "/api/v1/tickets", data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as answer:
        payload = json.loads(answer.read())
        return answer.status, (time.perf_counter() - started) * 1000, payload


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * share + 0.5) - 1)]


def creates(url: str, total: int) -> tuple[float, list[float], list[str]]:
    """``total`` creates at CONCURRENCY: (creates/s, latencies ms, numbers)."""
    bodies = [_create_body(i) for i in range(total)]
    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        answers = list(pool.map(lambda b: _post(url, b), bodies))
    elapsed = time.perf_counter() - started
    bad = [status for status, _, _ in answers if status != 201]
    assert not bad, f"creates answered {bad[:5]}"
    return total / elapsed, [ms for _, ms, _ in answers], [p["number"] for _, _, p in answers]


def _client(moto_url: str) -> Any:
    import boto3

    return boto3.client(
        "dynamodb",
        endpoint_url=moto_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def raw_puts(moto_url: str, table: str, seconds: float) -> tuple[float, list[float]]:
    """PutItem of a ticket-sized item straight to moto at CONCURRENCY, for ``seconds``."""
    local = threading.local()
    item = {
        "PK": {"S": ""},
        "SK": {"S": "BENCH"},
        "description": {"S": "x" * 1500},
        "history": {"L": [{"M": {"event": {"S": "created"}, "at": {"S": "2026-01-01T00:00:00Z"}}}]},
    }

    def client() -> Any:
        if not hasattr(local, "client"):
            local.client = _client(moto_url)
        return local.client

    deadline = time.perf_counter() + seconds
    samples: list[float] = []

    def worker() -> None:
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            client().put_item(TableName=table, Item={**item, "PK": {"S": f"BENCH#{uuid.uuid4().hex}"}})
            samples.append((time.perf_counter() - began) * 1000)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(samples) / (time.perf_counter() - started), samples


def main() -> None:
    from tests.stack_process import MOTO_URLS, local_stack

    total = size(300, 20)
    with local_stack("bench-throughput.log") as url:
        moto_url = MOTO_URLS[url]
        ddb = _client(moto_url)
        table = next(n for n in ddb.list_tables()["TableNames"] if "Bench" not in n)
        _post(url, _create_body(-1))  # warm: the first create compiles templates, opens clients
        rate, latencies, numbers = creates(url, total)
        put_rate, put_latencies = raw_puts(moto_url, table, size(5.0, 1.0))
    seq = sorted(int(n.split("-")[1]) for n in numbers)
    assert len(set(numbers)) == len(numbers), "a number was given twice"
    assert seq == list(range(seq[0], seq[0] + len(seq))), "the numbers have gaps"
    print(f"local stack, {total} creates over HTTP at concurrency {CONCURRENCY} (numbers distinct, no gaps)")
    print(f"{'':<28} {'per s':>8} {'p50 ms':>8} {'p95 ms':>8}")
    print(
        f"{'POST /api/v1/tickets':<28} {rate:>8.1f} {statistics.median(latencies):>8.1f}"
        f" {_percentile(latencies, 0.95):>8.1f}"
    )
    print(
        f"{'moto PutItem (same server)':<28} {put_rate:>8.1f} {statistics.median(put_latencies):>8.1f}"
        f" {_percentile(put_latencies, 0.95):>8.1f}"
    )
