"""Starts and stops the whole local stack; used by ``make dev`` and by the end-to-end tests."""

from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass, field
from datetime import timedelta
from threading import Thread
from typing import Any

from moto.moto_api._internal import mock_random

from infra.local import template as tpl
from infra.local.functions import LocalFunction, functions_from_template, global_environment
from infra.local.moto_server import SerialMotoServer
from infra.local.persist import RANDOM_SEED, DataDir, Journal, replay
from infra.local.provision import provision
from infra.local.streams import StreamPoller

log = logging.getLogger("ventanilla.local")

LOCAL_ENV = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_DEV": "false",
    # Webhook receivers on this machine (loopback, plain http): the SSRF guard refuses them in AWS.
    "WEBHOOKS_ALLOW_PRIVATE": "true",
}


LOCAL_REQUESTS_ADDRESS = "solicitudes@ventanilla.localhost"
"""Where citizens write locally (the development SMTP server accepts any address at its domain)."""


def _work(poller: Any) -> int:
    """What a consumer has done so far: stream records, queue batches, fired schedules."""
    done = getattr(poller, "delivered", 0) + getattr(poller, "failed_batches", 0)
    return int(done + getattr(poller, "invocations", 0) + len(getattr(poller, "fired", ())))


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@dataclass
class LocalStack:
    port: int = 8000
    host: str = "127.0.0.1"
    stack: str = "ventanilla"
    demo: bool = True
    moto: SerialMotoServer | None = None
    functions: dict[str, LocalFunction] = field(default_factory=dict)
    pollers: list[Any] = field(default_factory=list)
    logins: list[Any] = field(default_factory=list)
    demo_numbers: list[str] = field(default_factory=list)
    open311_key: str | None = None
    """The demo Open311 client's API key (printed with the logins)."""
    citizen_login: Any = None
    citizen_numbers: list[str] = field(default_factory=list)
    internal_numbers: list[str] = field(default_factory=list)
    """The demo's internal requests about equipment (linked to their assets)."""
    _web: Any = None
    smtp: Any = None
    """The development SMTP server (aiosmtpd Controller), when the stack runs one."""
    smtp_port: int | None = None
    """Its port (None: SMTP_PORT or 2525; 0 picks a free one)."""
    _web_thread: Thread | None = None
    data: DataDir | None = None
    """Where the stack keeps its state across restarts; None keeps it in memory only (tests)."""
    fresh: bool = False
    restored: bool = False

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def start_aws(self) -> dict[str, str]:
        """moto server + resources from template.yaml + function environment; returns that environment."""
        if self.port == 0:
            self.port = _free_port(self.host)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request log
        journal = None
        if self.data is not None:
            self.restored = self.data.prepare(self.fresh)
            journal = Journal(self.data.journal)
            mock_random.seed(RANDOM_SEED)  # the same ids as the run that wrote the journal
        self.moto = SerialMotoServer(journal=journal)
        self.moto.start()
        __import__("infra.local.moto_direct", fromlist=["_"]).install(self.moto)
        __import__("infra.local.outbox", fromlist=["_"]).install()  # what moto's SES/SNS accept
        os.environ.update(LOCAL_ENV)
        os.environ["AWS_ENDPOINT_URL"] = self.moto.url
        os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
        template = tpl.load()
        resolver = tpl.Resolver(template, self.stack, os.environ["AWS_REGION"])
        resolver.refs["PublicBaseUrl"] = self.url
        resolver.refs["HelpSearchEngine"] = "tantivy"  # in-process, shared by the API and the indexer
        # The institution profile: INSTITUTION_COUNTRY=CO gives Colombian request types and holidays.
        resolver.refs["InstitutionCountry"] = os.environ.get("INSTITUTION_COUNTRY") or "CL"
        # Email intake on: the development SMTP server stands in for SES receiving.
        resolver.refs["RequestsAddress"] = os.environ.get("REQUESTS_ADDRESS") or LOCAL_REQUESTS_ADDRESS
        skipped = provision(template, resolver)
        # Locally the API and the indexer share one in-process tantivy engine: nothing to publish.
        resolver.refs["HelpIndexBucket"] = ""
        if skipped:
            log.info("not provisioned locally: %s", ", ".join(skipped))
        env = global_environment(template, resolver)
        os.environ.update(env)
        # Web Push to a push service on this machine too (plain http on loopback: tests, dev page).
        os.environ.setdefault("WEBPUSH_ALLOWED_HOSTS", _webpush_hosts())
        # Where /dev/sms-in publishes an inbound SMS, as End User Messaging does (local only).
        os.environ["SMS_INBOUND_TOPIC_ARN"] = str(resolver.refs.get("SmsInboundTopic", ""))
        self.functions = functions_from_template(template, resolver)
        # Each function's calls checked against its role, as AWS would (moto enforces no IAM).
        __import__("infra.local.iam_guard", fromlist=["_"]).install(
            tpl.with_parameters(template, {k: v for k, v in resolver.refs.items() if "::" not in k})
        )
        # The stream dispatcher's own SLA_* variables, so it loads in this process (its cold start
        # validates them).
        __import__("infra.local.scheduler", fromlist=["_"]).export_timer_environment(self.functions)
        # Local VAPID keys in the VapidSecret (kept in the data folder across restarts).
        __import__("infra.local.vapid", fromlist=["_"]).ensure(
            self.data.root / "vapid.json" if self.data is not None else None
        )
        return env

    def start(self) -> LocalStack:
        self.start_aws()
        from infra.local import demo, demo_citizen  # after the environment exists: it reads settings

        upkeep = __import__("ventanilla.services.subscription_upkeep", fromlist=["_"])
        if self.restored:
            self._restore(demo)
            # A data folder from before SUBREF# items and subscriber counters: backfilled and
            # recounted once (a marker item says so), before any request comes in.
            upkeep.upgrade_once()
        else:
            self._keep_from_now()
            upkeep.mark_current()  # a new table needs neither
            if self.demo:  # staff first: their ids come from moto's seeded generator, as on a restore
                self.logins = demo.seed_staff()
                self.citizen_login = demo_citizen.ensure_citizen()
            demo.seed_catalog()
            if self.demo:
                demo.seed_alert_source()
                __import__("infra.local.demo_proactive", fromlist=["_"]).seed_proactive()
                from infra.local.demo_tickets import FRONT_DESK, _principal, seed_tickets

                self.demo_numbers = seed_tickets(self.logins)
                desk = next(login for login in self.logins if login.username == FRONT_DESK)
                self.citizen_numbers = demo_citizen.seed_citizen_requests(
                    self.citizen_login, _principal(desk)
                )
                self.internal_numbers = demo.seed_assets(self.logins, self.demo_numbers)
                from infra.local.demo_forum import seed_forum

                seed_forum({login.username: _principal(login) for login in self.logins})
        for fn in self.functions.values():
            for event in fn.events.values():
                if event.get("Type") == "DynamoDB":
                    # Restored: the replayed writes were handled in the run that made them.
                    poller = StreamPoller(
                        fn, event, starting_position="LATEST" if self.restored else None, moto=self.moto
                    )
                    poller.prime().start()
                    self.pollers.append(poller)
        # --- local services that stand in for what AWS does by itself (one line each) ---
        # (e.g. firing Scheduler schedules, delivering bus events and SQS messages to functions)
        self.pollers.append(__import__("infra.local.scheduler", fromlist=["_"]).start_scheduler(self))
        self.pollers.append(__import__("infra.local.cron", fromlist=["_"]).start_cron(self))
        self.pollers += __import__("infra.local.queues", fromlist=["_"]).start_queue_pollers(self)
        __import__("infra.local.outbox", fromlist=["_"]).start_outbox(self)
        if "EmailInFunction" in self.functions:  # SES receiving: mail in through SMTP
            smtp = __import__("infra.local.smtp", fromlist=["_"])
            self.smtp = smtp.start(self.functions["EmailInFunction"], self.host, self.smtp_port)
        # --- end of local services ---
        if self.demo and not self.restored:
            # Through the editors' import path; the stream dispatcher puts an event per article on
            # the bus, a rule on the indexer's queue, and the stack is ready once they are searchable.
            demo.seed_help()
            self.wait_idle(60)
        if self.demo:
            from ventanilla.services.api_keys import ensure_demo_key

            self.open311_key = ensure_demo_key()
        from infra.local.web import make_server

        api = self.functions["ApiFunction"]
        self._web = make_server(api.load(), api.code_dir, self.host, self.port)
        self.port = self._web.server.server_address[1]
        # The inner server's loop: Chalice's serve_forever() prints "Serving on ..." from this thread,
        # which ran into the banner's lines on stdout.
        self._web_thread = Thread(target=self._web.server.serve_forever, daemon=True, name="web")
        self._web_thread.start()
        return self

    def _keep_from_now(self) -> None:
        """A new data folder: keep the notification secret, then journal every write."""
        if self.data is None or self.moto is None or self.moto.journal is None:
            return
        self.data.secret.write_text(_secret_value(), encoding="utf-8")
        __import__("infra.local.outbox", fromlist=["_"]).keep_in(self.data.outbox)
        self.moto.journal.start()

    def _restore(self, demo: Any) -> None:
        from infra.local import demo_citizen

        """The saved state back: secret, staff users, every journaled write, clock, outbox, index."""
        assert self.data is not None and self.moto is not None and self.moto.journal is not None
        import boto3

        from ventanilla import clock
        from ventanilla.services.help_public import rebuild

        boto3.client("secretsmanager").put_secret_value(
            SecretId=os.environ["NOTIFY_SECRET_ARN"],
            SecretString=self.data.secret.read_text(encoding="utf-8"),
        )
        if self.demo:
            self.logins = demo.seed_staff()  # the users (moto's Cognito is not journaled), same ids
            self.citizen_login = demo_citizen.ensure_citizen()
        replayed, refused = replay(self.moto.journal, self.moto.url)
        log.warning("restored %d writes from %s (%d refused)", replayed, self.data.root, refused)
        self.moto.journal.start()
        clock.advance(timedelta(seconds=self.data.saved_clock()))
        __import__("infra.local.outbox", fromlist=["_"]).keep_in(self.data.outbox)
        rebuild()

    def save_clock(self) -> None:
        """Keep the dev clock's offset (called after every move)."""
        if self.data is not None:
            from ventanilla import clock

            self.data.save_clock(clock.offset().total_seconds())

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until the stream, queue and schedule consumers have caught up with every write so
        far, including what they caused one another (a stream record -> a bus event -> a queue ->
        a function): rounds of waiting repeat until a whole round found nothing to do."""
        deadline = time.monotonic() + timeout
        while True:
            before = sum(_work(p) for p in self.pollers)
            if not all(p.wait_idle(max(0.1, deadline - time.monotonic())) for p in self.pollers):
                return False
            if sum(_work(p) for p in self.pollers) == before:
                return True
            if time.monotonic() >= deadline:
                return False

    def stop(self) -> None:
        if self.data is not None:
            self.wait_idle(10)  # a normal stop lets queued work finish: only a kill loses it
            self.save_clock()
        if self.smtp is not None:
            self.smtp.stop()
        for poller in self.pollers:
            poller.stop()
        if self._web is not None:
            self._web.shutdown()
        if self.moto is not None:
            self.moto.stop()


def _secret_value() -> str:
    import boto3

    value = boto3.client("secretsmanager").get_secret_value(SecretId=os.environ["NOTIFY_SECRET_ARN"])
    return str(value["SecretString"])


def _webpush_hosts() -> str:
    from infra.local.vapid import LOCAL_PUSH_HOSTS
    from ventanilla.settings import Settings

    return f"{Settings.model_fields['webpush_allowed_hosts'].default},{LOCAL_PUSH_HOSTS}"
