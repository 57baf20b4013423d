"""Where a webhook may point: public https endpoints (plain http to this machine only outside prod).

Why so strict: deliveries are made from inside the VPC, next to the database proxy, the cache and the
instance metadata endpoint. An URL naming a private, loopback or link-local address would turn the
subscription into a way to poke at them (SSRF). Names are checked twice: their literal form when the
subscription is saved, and what they resolve to right before each delivery (a public name may later
resolve to a private address). Redirects are never followed for the same reason (see `sender`).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit, urlunsplit

from vkc.errors import InvalidInput

MAX_URL_LENGTH = 2048
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


class UnsafeDestination(Exception):
    """The URL's host cannot be used now: it does not resolve (retryable) or resolves to a non-public address."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


def validate_webhook_url(raw: str, *, allow_loopback: bool) -> str:
    """The normalized URL (lower-case scheme and host), or InvalidInput saying what is wrong.

    `allow_loopback` (every stage but prod) admits http and https to localhost/127.0.0.1/::1, so a
    developer can point a subscription at a receiver on their machine.
    """
    url = raw.strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise _invalid(f"The URL must be 1 to {MAX_URL_LENGTH} characters long.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _invalid(f"The URL is not valid: {exc}.") from None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in ("https", "http"):
        raise _invalid("The URL must start with https://.")
    if not host:
        raise _invalid("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise _invalid("Credentials in the URL are not allowed; authenticate with the signature instead.")
    if parts.fragment:
        raise _invalid("The URL must not have a #fragment.")
    loopback = _is_loopback_name(host)
    if loopback and not allow_loopback:
        raise _invalid("Deliveries to this machine (localhost) are not allowed.")
    if scheme == "http" and not loopback:
        raise _invalid("The URL must use https (plain http is accepted for localhost outside production only).")
    if not loopback:
        address = _ip_literal(host)
        if address is not None and not address.is_global:
            raise _invalid("The URL names a private, reserved or link-local address.")
        if "." not in host:
            raise _invalid("The host must be a fully qualified domain name.")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def check_destination(url: str, *, allow_loopback: bool) -> None:
    """Resolve the URL's host and refuse it when any address is not public (loopback when allowed)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(
            host, parts.port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except OSError as exc:
        raise UnsafeDestination(f"cannot resolve {host}: {exc.strerror or exc}", retryable=True) from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address.is_loopback and allow_loopback:
            continue
        if not address.is_global:
            raise UnsafeDestination(f"{host} resolves to a non-public address", retryable=False)


def _is_loopback_name(host: str) -> bool:
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    address = _ip_literal(host)
    return address is not None and address.is_loopback


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _invalid(message: str) -> InvalidInput:
    return InvalidInput(message, extra={"errors": [{"loc": ["body", "url"], "msg": message, "type": "value_error"}]})
