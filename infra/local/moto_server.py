"""moto's server, with its requests taken one at a time.

DynamoDB applies a conditional write or a transaction atomically; moto's backends are not guarded
against concurrent requests, so two racing transactions could both pass their conditions. Taking
requests one at a time gives the local stack the atomicity the real service has, and lets a
transaction check its conditions before it writes instead of copying the table
(:mod:`infra.local.moto_transactions`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

from infra.local import moto_queries, moto_transactions
from infra.local.persist import Journal


class SerialMotoServer(ThreadedMotoServer):
    def __init__(self, port: int = 0, journal: Journal | None = None) -> None:
        """``journal`` records the writes it answers, for a local stack that keeps its data."""
        super().__init__(ip_address="127.0.0.1", port=port, verbose=False)
        self.journal = journal
        self.lock = threading.Lock()
        """Held while moto answers a request; in-process readers of moto's state take it too."""
        self.app: Any = None
        """The WSGI application it serves (lock and journal included), for in-process callers
        (:mod:`infra.local.moto_direct`)."""

    def _server_entry(self) -> None:
        moto_transactions.install()
        moto_queries.install()
        dispatcher = DomainDispatcherApplication(create_backend_app)
        app = self.journal.wrap(dispatcher) if self.journal is not None else dispatcher
        lock = self.lock

        def serial(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
            with lock:
                return list(app(environ, start_response))

        self.app = serial
        self._server = make_server(self._ip_address, self._port, serial, threaded=True)
        self._server_ready_event.set()
        self._server.serve_forever()

    @property
    def url(self) -> str:
        host, port = self.get_host_and_port()
        return f"http://{host}:{port}"
