"""Host and Origin checks against DNS rebinding and cross-site pages.

A request is served only when its ``Host`` header names a loopback address (127.0.0.1,
localhost, [::1]) with the server's port, or a name the operator allowed (``--host`` /
``--allow-host``, e.g. behind a TLS reverse proxy). ``Origin`` may be absent (native
clients) or must be http(s) on an allowed host; ``null`` and foreign origins are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["Access", "LOOPBACK_NAMES", "is_loopback"]

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def is_loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1", "[::1]") or host.startswith("127.")


def _split(hostport: str) -> tuple[str, int | None] | None:
    hostport = hostport.strip().lower()
    if not hostport:
        return None
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            return None
        name, rest = hostport[: end + 1], hostport[end + 1:]
    else:
        name, _, port_text = hostport.partition(":")
        rest = ":" + port_text if _ else ""
    if not rest:
        return name, None
    if not rest.startswith(":") or not rest[1:].isdigit():
        return None
    return name, int(rest[1:])


@dataclass(frozen=True, slots=True)
class Access:
    port: int
    extra_hosts: frozenset[str] = frozenset()  # lower-case names, no port

    def host_ok(self, header: str | None) -> bool:
        if not header:
            return False
        parsed = _split(header)
        if parsed is None:
            return False
        name, port = parsed
        if name in LOOPBACK_NAMES:
            return port == self.port or (port is None and self.port == 80)
        if name in self.extra_hosts:  # behind a proxy the public port may differ
            return port is None or port in (self.port, 80, 443)
        return False

    def origin_ok(self, origin: str | None) -> bool:
        if origin is None:
            return True  # not a browser (or a same-origin GET): nothing to check
        try:
            parts = urlsplit(origin)
        except ValueError:
            return False
        if parts.scheme not in ("http", "https") or parts.path not in ("", "/"):
            return False
        return self.host_ok(parts.netloc)
