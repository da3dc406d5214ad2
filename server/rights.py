"""Who may write: one answer per request, ``Context.can_write``, checked by every mutation.

Write rights follow the team server's access model (``server.access``):

- ``--public`` (a read-only public demo): nobody writes;
- with an access token: the requests it lets in (the token in a header, or the session cookie from
  a one-time link) may write;
- without a token the server listens on loopback only: requests from this machine that name a
  loopback host may write.

Whatever the mode, a request whose ``Origin`` (browsers send one with every POST) is not the
server's own is refused: another site's page cannot write through a user's browser.
Addresses and Host names are compared literally (no DNS lookup on a request's path).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from summit.server.hosts import literal_loopback

from summit.settings import Settings


def can_write(settings: Settings, *, token_required: bool, authorized: bool, client_host: str | None,
              headers: Mapping[str, str]) -> bool:
    """Whether this request may change what the server stores (notes); ``headers`` in lower case."""
    if settings.public:
        return False
    host = headers.get("host", "")
    origin = headers.get("origin")
    if origin is not None and urlsplit(origin).netloc.lower() != host.lower():
        return False
    if token_required:
        return authorized
    return (literal_loopback(settings.host) and client_host is not None and literal_loopback(client_host)
            and literal_loopback(urlsplit(f"//{host}").hostname or ""))
