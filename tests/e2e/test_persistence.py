"""The local stack keeps its data: killed (-9) in the middle of a burst of filings and started
again on the same folder, every request it acknowledged is there, opens with its code, and the
numbering goes on after the highest one."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.stack_process import local_stack

pytestmark = pytest.mark.e2e


def _body(i: int) -> dict[str, Any]:
    return {
        "type": "consulta",
        "subtype": "general",
        "subject": f"Ráfaga {i}",
        "description": "Una solicitud de la ráfaga antes del corte.",
        "requester": {
            "name": "Vecina Persistente",
            "email": f"rafaga.{uuid.uuid4().hex[:8]}@example.cl",
            "channels": ["email"],
            "consent": True,
        },
    }


def test_a_kill_mid_burst_loses_no_acknowledged_request(tmp_path: Path) -> None:
    data = tmp_path / "datos"
    acknowledged: list[tuple[str, str]] = []
    lock = threading.Lock()
    processes: list[Any] = []
    with local_stack("persist-first.log", demo=False, data=data, processes=processes) as url:
        enough = threading.Event()

        def file(i: int) -> None:
            if enough.is_set():
                return
            try:
                answer = requests.post(f"{url}/api/v1/tickets", json=_body(i), timeout=60)
            except requests.RequestException:
                return  # the kill cut it: not acknowledged
            if answer.status_code == 201:
                with lock:
                    acknowledged.append((answer.json()["number"], answer.json()["access_code"]))
                    if len(acknowledged) >= 12:
                        enough.set()

        with ThreadPoolExecutor(max_workers=6) as pool:
            for i in range(40):
                pool.submit(file, i)
            assert enough.wait(240), f"only {len(acknowledged)} filings acknowledged"
            processes[0].kill()  # -9, with filings still in flight
    assert len({number for number, _ in acknowledged}) == len(acknowledged)

    with local_stack("persist-second.log", demo=False, data=data) as url:
        for number, code in acknowledged:
            answer = requests.get(
                f"{url}/api/v1/tickets/{number}", headers={"X-Access-Code": code}, timeout=30
            )
            assert answer.status_code == 200, (number, answer.text)
            assert answer.json()["subject"].startswith("Ráfaga")
        after = requests.post(f"{url}/api/v1/tickets", json=_body(99), timeout=60)
        assert after.status_code == 201
        assert after.json()["number"] > max(number for number, _ in acknowledged)


def test_a_normal_stop_keeps_the_data_and_fresh_starts_anew(tmp_path: Path) -> None:
    data = tmp_path / "datos"
    with local_stack("persist-a.log", demo=False, data=data) as url:
        first = requests.post(f"{url}/api/v1/tickets", json=_body(1), timeout=60).json()
    assert (data / "journal.jsonl").stat().st_size > 0
    with local_stack("persist-b.log", demo=False, data=data, env_extra={}) as url:
        kept = requests.get(
            f"{url}/api/v1/tickets/{first['number']}",
            headers={"X-Access-Code": first["access_code"]},
            timeout=30,
        )
        assert kept.status_code == 200
