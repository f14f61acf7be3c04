"""Which addresses outbound webhooks may reach (the SSRF guard), in plain Python.

An endpoint's host is resolved and EVERY address it resolves to must be public: private networks,
loopback, link-local (the cloud metadata service at 169.254.169.254 and fd00:ec2::254), carrier-grade
NAT, multicast, reserved and unspecified ranges are refused, IPv4-mapped and 6to4/NAT64 forms
included. The connection is then made to the address checked, never resolved again (DNS rebinding).
Locally (``WEBHOOKS_ALLOW_PRIVATE``, set only by the local runner) private addresses are allowed.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_ALWAYS_REFUSED = (
    ipaddress.ip_network("169.254.0.0/16"),  # link-local, cloud metadata
    ipaddress.ip_network("fe80::/10"),
    ipaddress.ip_network("fd00:ec2::/32"),  # the EC2 metadata service over IPv6
    ipaddress.ip_network("0.0.0.0/8"),
)


@dataclass(frozen=True)
class Target:
    """The parts of an endpoint URL a connection needs."""

    scheme: str
    host: str
    port: int
    path: str


class BadUrl(ValueError):
    """The URL cannot be an endpoint; ``code`` names the i18n message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def parse(url: str, allow_http: bool) -> Target:
    """The endpoint's scheme, host, port and path; refuses what no receiver should be given."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise BadUrl("webhook_url_invalid") from error
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or (scheme == "http" and not allow_http):
        raise BadUrl("webhook_url_scheme")
    if parts.username is not None or parts.password is not None:
        raise BadUrl("webhook_url_credentials")  # a secret in a URL ends up in logs
    host = (parts.hostname or "").rstrip(".")
    if not host or any(c.isspace() for c in url):
        raise BadUrl("webhook_url_invalid")
    if parts.fragment:
        raise BadUrl("webhook_url_invalid")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme, host, port or (443 if scheme == "https" else 80), path)


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, NAT64 well-known prefix)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in ipaddress.ip_network("64:ff9b::/96"):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(ip: IPAddress) -> bool:
    """Whether ``ip`` is a globally routable unicast address a webhook may be sent to."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_v4(ip)
        if inner is not None:
            return is_public(inner)
    if any(ip in net for net in _ALWAYS_REFUSED if net.version == ip.version):
        return False
    return bool(ip.is_global) and not ip.is_multicast and not ip.is_reserved and not ip.is_unspecified


def refused(addresses: list[str], allow_private: bool) -> str | None:
    """The first address the guard refuses, None when every one may be reached. The metadata
    service's link-local range is refused even locally."""
    for text in addresses:
        ip = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone id
        if isinstance(ip, ipaddress.IPv6Address) and _embedded_v4(ip) is not None:
            ip = _embedded_v4(ip) or ip
        if allow_private:
            if any(ip in net for net in _ALWAYS_REFUSED[:3] if net.version == ip.version):
                return text
            continue
        if not is_public(ip):
            return text
    return None
