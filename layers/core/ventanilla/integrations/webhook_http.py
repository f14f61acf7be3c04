"""The one outbound HTTP call of webhooks: resolve, check every address (rules.egress), then POST to
the address checked, with TLS verified against the host name. No redirects are followed (a 3xx is
a failure: a redirect could point anywhere), the answer's body is read to 1 KB at most, and the
whole call is bounded by connect and read timeouts well under the function's timeout."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass

from ventanilla.rules.egress import BadUrl, Target, refused

CONNECT_SECONDS = 3.0
READ_SECONDS = 5.0
"""At most ~8 s a delivery; the function (30 s) handles a batch of 3 and stops early when short."""


class Refused(Exception):
    """The guard refused the endpoint's addresses (or it resolves to none)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Answer:
    status: int | None
    error: str | None
    duration_ms: int


def resolve(target: Target, allow_private: bool) -> str:
    """The address to connect to: the first of the host's, once all of them passed the guard."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise Refused("webhook_url_unresolvable") from error
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise Refused("webhook_url_unresolvable")
    if refused(addresses, allow_private) is not None:
        raise Refused("webhook_url_private")
    return addresses[0]


def post(target: Target, body: bytes, headers: dict[str, str], allow_private: bool) -> Answer:
    """POST ``body`` to the endpoint; the status or a short error, never an exception."""
    import urllib3  # lazy: only the webhook function sends

    started = time.monotonic()

    def done(status: int | None, error: str | None) -> Answer:
        return Answer(status, error, int((time.monotonic() - started) * 1000))

    try:
        address = resolve(target, allow_private)
    except Refused as refusal:
        return done(None, refusal.code)
    default_port = 443 if target.scheme == "https" else 80
    host = f"[{target.host}]" if ":" in target.host else target.host  # an IPv6 literal
    host_header = host if target.port == default_port else f"{host}:{target.port}"
    total = CONNECT_SECONDS + READ_SECONDS
    timeout = urllib3.Timeout(connect=CONNECT_SECONDS, read=READ_SECONDS, total=total)
    pool: urllib3.HTTPConnectionPool
    if target.scheme == "https":
        import certifi

        pool = urllib3.HTTPSConnectionPool(
            address,
            target.port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
            server_hostname=target.host,
            assert_hostname=target.host,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, target.port, timeout=timeout, retries=False, maxsize=1)
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": host_header},
            redirect=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            response.read(1024)
        finally:
            response.release_conn()
        return done(int(response.status), None)
    except urllib3.exceptions.NewConnectionError:  # before TimeoutError: urllib3 makes it one
        return done(None, "connection_failed")
    except urllib3.exceptions.TimeoutError:
        return done(None, "timeout")
    except urllib3.exceptions.SSLError:
        return done(None, "tls")
    except (urllib3.exceptions.HTTPError, OSError) as error:
        return done(None, type(error).__name__[:60])
    finally:
        pool.close()


def check_url(target: Target, allow_private: bool) -> None:
    """Registration check: the host resolves and every address passes the guard (BadUrl if not)."""
    try:
        resolve(target, allow_private)
    except Refused as refusal:
        raise BadUrl(refusal.code) from refusal
