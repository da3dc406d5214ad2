"""Access control for a shared server: one access token, sessions from one-time links.

With a token configured (``token_file``, or the environment variable named by
``token_env``), every path but ``/healthz``, ``/readyz`` and ``/admin/load`` (which
checks its own token) needs one of:

- ``Authorization: Bearer <token>`` (scripts, the API);
- the session cookie, which ``GET /login?link=...`` sets from a one-time link
  (``summit share`` prints one): the link is signed with the token, expires after
  ``link_hours`` and works once; the cookie holds a value derived from the token
  (never the token), ``HttpOnly`` (scripts in the page cannot read it),
  ``SameSite=Lax`` (other sites' requests do not carry it), ``Secure`` over HTTPS.

Comparisons are constant-time (``hmac.compare_digest``); the token, links and
cookies are never logged. Without a token every request is allowed (loopback, or
``--public``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import os
import secrets
import threading
import time
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from summit.server.body_limit import ASGIApp, Receive, Send
from summit.server.hosts import is_loopback

from summit.errors import BadInput, Unauthorized
from summit.settings import Settings

COOKIE = "summit_session"
SESSION_MAX_AGE_S = 30 * 24 * 3600  # a session cookie lasts 30 days (a new link gives a new one)
MIN_TOKEN_CHARS = 16
# Answer without the access token: the health checks (they then say only whether the server is up) and
# /admin/load, which checks its own token (the server record's, for `summit load` on this machine).
OPEN_PATHS = ("/healthz", "/readyz", "/admin/load")
LOGIN_PATH = "/login"
TOKEN_HINT = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'


def read_token(settings: Settings, environ: MutableMapping[str, str] | None = None) -> str | None:
    """The access token from ``token_file`` or the ``token_env`` variable; None when neither is set."""
    env = os.environ if environ is None else environ
    if settings.token_file:
        path = Path(settings.token_file)
        try:
            token = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise BadInput(f"--token-file: cannot read the token file ({type(exc).__name__})") from None
        source = "--token-file"
    else:
        token = env.get(settings.token_env, "").strip()
        if not token:
            return None
        source = f"environment variable {settings.token_env}"
    if len(token) < MIN_TOKEN_CHARS or any(c.isspace() for c in token):
        raise BadInput(f"the access token from {source} must be at least {MIN_TOKEN_CHARS} characters without "
                       f"spaces; make one with: {TOKEN_HINT}")
    return token


def rate_limited(settings: Settings, token: str | None) -> bool:
    """Whether the per-client rate limit applies: on a shared server (a token, ``--public``, or an
    address other machines reach). A loopback server without a token serves only this machine's
    users, who could read its store directly; limiting them protects nothing and would refuse a
    user sweeping over a graph's tiles or a test suite's pages, all from one address."""
    return token is not None or settings.public or not is_loopback(settings.host)


def check_exposure(settings: Settings, token: str | None) -> str:
    """Refuse to serve a non-loopback address without a token or ``--public``; say what access is on."""
    if settings.public and token is not None:
        raise BadInput("--public serves without a token, but an access token is set (--token-file or "
                       f"{settings.token_env}); give one or the other")
    if token is not None:
        return "access token required (share a one-time link with `summit share`)"
    if settings.public:
        return f"public: no token, rate limit {settings.rate_limit:g} requests/s per client"
    if not is_loopback(settings.host):
        raise BadInput(f"--host {settings.host} can be reached from other machines: give an access token "
                       f"(--token-file FILE, or the environment variable {settings.token_env}) or serve a "
                       "read-only public demo with --public")
    return "loopback only, no token, no rate limit"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _sign(token: str, message: str) -> str:
    return _b64(hmac.new(token.encode(), message.encode(), hashlib.sha256).digest())


def session_value(token: str) -> str:
    """What the session cookie holds: derived from the token (changing the token ends every session)."""
    return _sign(token, "summit-session-v1")


def one_time_link(token: str, base_url: str, hours: float, now: float | None = None) -> str:
    """A link that logs a browser in once (until it expires after ``hours``)."""
    expires = int((time.time() if now is None else now) + hours * 3600)
    nonce = secrets.token_urlsafe(12)
    body = f"{expires}.{nonce}"
    return f"{base_url.rstrip('/')}{LOGIN_PATH}?link={body}.{_sign(token, 'link|' + body)}"


class Links:
    """Checks one-time links and remembers the used ones until they expire."""

    def __init__(self, token: str):
        self._token = token
        self._used: dict[str, int] = {}  # nonce -> expiry
        self._lock = threading.Lock()

    def redeem(self, link: str, now: float | None = None) -> str | None:
        """None when ``link`` is good (and now used up); else why not, for the person who clicked it."""
        now = time.time() if now is None else now
        parts = link.split(".")
        if len(parts) != 3 or not parts[0].isdigit() or len(parts[0]) > 12:
            return "this is not a Summit access link"
        expires_text, nonce, signature = parts
        if not hmac.compare_digest(signature.encode(), _sign(self._token, f"link|{expires_text}.{nonce}").encode()):
            return "this access link is not valid for this server (or its token has changed)"
        expires = int(expires_text)
        if expires < now:
            return "this access link has expired"
        with self._lock:
            for old in [n for n, at in self._used.items() if at < now]:
                del self._used[old]
            if nonce in self._used:
                return "this access link was already used (each link works once)"
            self._used[nonce] = expires
        return None


def _header(scope: MutableMapping[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers") or ():
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def _cookie(scope: MutableMapping[str, Any], name: str) -> str:
    for part in _header(scope, b"cookie").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Summit: {title}</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>{title}</h1><p>{text}</p></body></html>
"""
NEEDS_LINK = ("This Summit server is shared with a team and needs an access link. Ask whoever runs it for one "
              "(they make it with <code>summit share</code>).")


async def _respond(send: Send, status: int, body: bytes, content_type: bytes,
                   extra: list[tuple[bytes, bytes]] | None = None) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
               (b"cache-control", b"no-store"), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _page(title: str, text: str) -> bytes:
    return PAGE.format(title=html.escape(title), text=text).encode()


class AccessControl:
    """ASGI wrapper: requests need the token (header) or a session (cookie); ``/login`` redeems links.

    ``scope["state"]["authorized"]`` tells the open paths whether to say more than the status.
    """

    def __init__(self, app: ASGIApp, token: str | None):
        self.app = app
        self._token = token
        self._bearer = f"Bearer {token}".encode() if token else b""
        self._session = session_value(token).encode() if token else b""
        self.links = Links(token) if token else None

    @property
    def enabled(self) -> bool:
        return self._token is not None

    def authorized(self, scope: MutableMapping[str, Any]) -> bool:
        if self._token is None:
            return True
        bearer = _header(scope, b"authorization").encode("latin-1")
        cookie = _cookie(scope, COOKIE).encode("latin-1")
        # both compared every time, in constant time, so the timing says nothing about either
        by_header = hmac.compare_digest(bearer, self._bearer)
        by_cookie = hmac.compare_digest(cookie, self._session)
        return by_header or by_cookie

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        allowed = self.authorized(scope)
        scope.setdefault("state", {})["authorized"] = allowed
        path = scope.get("path", "")
        if path == LOGIN_PATH and scope["type"] == "http" and self.enabled:
            if allowed:  # already logged in: back to the app, the link unused
                await _respond(send, 303, b"", b"text/plain", [(b"location", b"/")])
            else:
                await self._login(scope, send)
        elif allowed or path in OPEN_PATHS:
            await self.app(scope, receive, send)
        elif scope["type"] != "http":
            await send({"type": "websocket.close", "code": 4401})
        else:
            await self._refuse(scope, send)

    async def _login(self, scope: MutableMapping[str, Any], send: Send) -> None:
        assert self.links is not None
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        problem = self.links.redeem((query.get("link") or [""])[0])
        if problem is not None:
            await _respond(send, 401, _page("Access link not accepted", html.escape(problem) + ". " + NEEDS_LINK),
                           b"text/html; charset=utf-8")
            return
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        cookie = (f"{COOKIE}={self._session.decode()}; Path=/; Max-Age={SESSION_MAX_AGE_S}; HttpOnly; "
                  f"SameSite=Lax{secure}")
        # 303 to the app: the link leaves the address bar (and the history) at once
        await _respond(send, 303, b"", b"text/plain", [(b"location", b"/"), (b"set-cookie", cookie.encode())])

    async def _refuse(self, scope: MutableMapping[str, Any], send: Send) -> None:
        error = Unauthorized("this server needs an access token: send `Authorization: Bearer <token>`, or open a "
                             "one-time link from whoever runs it (`summit share`)")
        if scope.get("path", "").startswith("/graphql"):
            body = json.dumps({"data": None, "errors": [{"message": str(error),
                                                         "extensions": {"code": error.code}}]}).encode()
            await _respond(send, 401, body, b"application/json", [(b"www-authenticate", b"Bearer")])
        else:
            await _respond(send, 401, _page("Access link needed", NEEDS_LINK), b"text/html; charset=utf-8",
                           [(b"www-authenticate", b"Bearer")])


__all__ = ["AccessControl", "Links", "check_exposure", "one_time_link", "read_token", "session_value"]
