"""The webhooks' SSRF guard (which addresses and URLs an endpoint may have) and their signatures."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from ventanilla.integrations import webhook_http
from ventanilla.rules import egress
from ventanilla.rules.webhook_signing import backoff_seconds, sign, verify

REFUSED = [
    "127.0.0.1",
    "127.8.9.10",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "198.18.0.1",  # benchmarking
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd00:ec2::254",  # EC2 metadata over IPv6
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:169.254.169.254",
    "2002:a00:1::",  # 6to4 of 10.0.0.1
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "ff02::1",
]
PUBLIC = ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]


@pytest.mark.parametrize("address", REFUSED)
def test_private_loopback_link_local_and_reserved_are_refused(address: str) -> None:
    assert egress.refused([address], allow_private=False) == address


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address: str) -> None:
    assert egress.refused([address], allow_private=False) is None


def test_one_private_address_among_public_ones_refuses_the_host() -> None:
    assert egress.refused(["8.8.8.8", "10.1.2.3"], allow_private=False) == "10.1.2.3"


def test_the_local_flag_allows_loopback_and_private_but_never_the_metadata_service() -> None:
    assert egress.refused(["127.0.0.1", "10.0.0.1", "::1"], allow_private=True) is None
    assert egress.refused(["169.254.169.254"], allow_private=True) == "169.254.169.254"
    assert egress.refused(["fd00:ec2::254"], allow_private=True) == "fd00:ec2::254"
    assert egress.refused(["::ffff:169.254.169.254"], allow_private=True) == "::ffff:169.254.169.254"


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://example.org/hook", "webhook_url_scheme"),
        ("http://example.org/hook", "webhook_url_scheme"),  # plain http only locally
        ("https://user:pass@example.org/hook", "webhook_url_credentials"),
        ("https:///hook", "webhook_url_invalid"),
        ("https://example.org:99999/", "webhook_url_invalid"),
        ("https://example.org/a#frag", "webhook_url_invalid"),
    ],
)
def test_bad_urls_are_refused_with_their_reason(url: str, code: str) -> None:
    with pytest.raises(egress.BadUrl) as refused:
        egress.parse(url, allow_http=False)
    assert refused.value.code == code


def test_a_url_gives_host_port_and_path() -> None:
    target = egress.parse("https://Hooks.Example.org./in?x=1", allow_http=False)
    assert (target.scheme, target.host, target.port, target.path) == (
        "https",
        "hooks.example.org",
        443,
        "/in?x=1",
    )
    assert egress.parse("http://localhost:8123", allow_http=True).port == 8123


def fake_dns(monkeypatch: pytest.MonkeyPatch, *addresses: str) -> None:
    def getaddrinfo(host: str, port: int, **_: Any) -> list[Any]:
        family = socket.AF_INET6
        return [(family, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_name_resolving_to_a_private_address_is_refused_after_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding and names such as 127.0.0.1.nip.io: the resolved address is what counts."""
    fake_dns(monkeypatch, "93.184.216.34", "169.254.169.254")
    target = egress.parse("https://innocent.example.org/hook", allow_http=False)
    with pytest.raises(egress.BadUrl) as refused:
        webhook_http.check_url(target, allow_private=False)
    assert refused.value.code == "webhook_url_private"
    answer = webhook_http.post(target, b"{}", {}, allow_private=False)
    assert answer.status is None and answer.error == "webhook_url_private"


def test_the_connection_goes_to_the_address_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dns(monkeypatch, "93.184.216.34")
    target = egress.parse("https://hooks.example.org/x", allow_http=False)
    assert webhook_http.resolve(target, allow_private=False) == "93.184.216.34"


def test_an_unresolvable_host_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_: Any, **__: Any) -> Any:
        raise socket.gaierror("no such host")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(egress.BadUrl) as refused:
        webhook_http.check_url(egress.parse("https://nope.invalid/", allow_http=False), allow_private=False)
    assert refused.value.code == "webhook_url_unresolvable"


def test_signature_covers_timestamp_and_body() -> None:
    body = b'{"id":"e1"}'
    signature = sign("s3cret-s3cret-16", 1_700_000_000, body)
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    assert verify("s3cret-s3cret-16", "1700000000", body, signature, now=1_700_000_100)
    assert not verify("s3cret-s3cret-16", "1700000001", body, signature, now=1_700_000_100)
    assert not verify("s3cret-s3cret-16", "1700000000", body + b" ", signature, now=1_700_000_100)
    assert not verify("other-secret-16x", "1700000000", body, signature, now=1_700_000_100)
    assert not verify("s3cret-s3cret-16", "1700000000", body, signature, now=1_700_000_000 + 301)  # replay


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff_seconds(n, 30) for n in range(1, 9)] == [30, 60, 120, 240, 480, 960, 1920, 3600]
    assert backoff_seconds(3, 0) == 0


def test_a_closed_port_is_a_connection_failure_not_a_timeout() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    target = egress.parse(f"http://127.0.0.1:{port}/hook", allow_http=True)
    answer = webhook_http.post(target, b"{}", {}, allow_private=True)
    assert (answer.status, answer.error) == (None, "connection_failed")
    refused = webhook_http.post(target, b"{}", {}, allow_private=False)
    assert (refused.status, refused.error) == (None, "webhook_url_private")
