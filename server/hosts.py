"""Which addresses are loopback, and which Host headers the server answers to.

The Host check (Starlette's ``TrustedHostMiddleware``) stops DNS rebinding: a web
page on another site whose name is made to resolve to 127.0.0.1 sends its own
name as Host, so it gets 400 instead of the API.
"""

from __future__ import annotations

import ipaddress
import socket

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


WILDCARD_ADDRESSES = ("0.0.0.0", "::", "")


def allowed_hosts(configured: tuple[str, ...], bind: str = "") -> list[str]:
    """The Host names to accept: the loopback names, the address the server listens on (unless it is
    0.0.0.0 or ::) and the configured ones (e.g. the public name)."""
    names = [*LOOPBACK_NAMES]
    if bind not in WILDCARD_ADDRESSES:
        names.append(f"[{bind}]" if ":" in bind else bind.lower())
    return [*names, *(name.strip().lower() for name in configured if name.strip())]


LOCAL_NAMES = frozenset({"localhost", "localhost."})  # names that are this machine without a lookup


def literal_loopback(host: str) -> bool:
    """``host`` (an address, IPv6 with or without brackets, or "localhost") is this machine, without a lookup."""
    name = host.strip().strip("[]").lower()
    if name in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def is_loopback(host: str) -> bool:
    """True when every address ``host`` stands for is a loopback address (unresolvable: False)."""
    if literal_loopback(host):
        return True
    text = host.strip().strip("[]")
    try:
        ipaddress.ip_address(text)
        return False  # an address, and not a loopback one
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(text, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_loopback for info in infos)


__all__ = ["LOOPBACK_NAMES", "allowed_hosts", "is_loopback", "literal_loopback"]
