"""Run the server until it is stopped: the library call behind ``summit serve`` and ``summit demo``.

``serve`` checks the settings and the listen address, opens the store
(``summit.store.open_for_serving``: the embedded store for writing, leftovers of
killed loads removed), runs the app under uvicorn and closes the store however the
server stops (SIGTERM ends it cleanly, exit 0). Holding an embedded store, the
server writes a record beside it so that ``summit load`` into it comes to
``POST /admin/load`` (``summit.store.owner``).
"""

from __future__ import annotations

import logging
import signal
import socket
from pathlib import Path

from summit.errors import BadInput
from summit.image_graph import ImageGraphs
from summit.settings import Settings
from summit.store import check_store_settings, describe_store, open_for_serving
from summit.store.owner import hold, local_url, release

log = logging.getLogger("summit.server")

KEEP_ALIVE_S = 30  # idle keep-alive connections stay open this long (uvicorn's 5 s races busy clients)


def check_listen(host: str, port: int) -> None:
    """Fail early, with a clear message, when the address cannot be bound."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise BadInput(f"--host {host!r}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise BadInput(f"cannot listen on {host}:{port}: {exc.strerror} (is another server running? try --port)") from None


def check_serve_settings(settings: Settings, web_dir: Path | None = None) -> None:
    """Everything ``serve`` needs that can be checked without opening the store."""
    check_store_settings(settings)
    if web_dir is not None and not web_dir.is_dir():
        raise BadInput(f"--web-dir {web_dir} is not a folder")
    if settings.media_root and not Path(settings.media_root).is_dir():
        raise BadInput(f"media root {settings.media_root} is not a folder")
    if settings.image_root and not Path(settings.image_root).is_dir():
        raise BadInput(f"image root {settings.image_root} is not a folder")


def serve(settings: Settings, *, web_dir: Path | None = None, image_graphs: ImageGraphs | None = None) -> None:
    """Serve the API, the web app and the media at ``settings.host:port`` until stopped.

    ``image_graphs``: what computes one image's graph (the command line builds it from
    ``summit.ingest`` when the setting ``image_graphs`` is on). A non-loopback address needs
    an access token or ``public`` (``server.access.check_exposure``).
    """
    import uvicorn
    from summit.server.access import check_exposure, read_token
    from summit.server.app import create_app
    from summit.server.hosts import allowed_hosts, is_loopback

    check_serve_settings(settings, web_dir)
    token = read_token(settings)
    access = check_exposure(settings, token)
    store = open_for_serving(settings)
    record = None
    try:
        check_listen(settings.host, settings.port)
        log.info("serving http://%s:%s/ (%s; access: %s)", settings.host, settings.port, describe_store(settings),
                 access)
        if not settings.allowed_hosts and not is_loopback(settings.host):
            log.warning("answering only to the Host names %s: add the name others use with --allowed-host NAME "
                        "(or SUMMIT_ALLOWED_HOSTS)", ", ".join(allowed_hosts((), settings.host)))
        record = hold(store, local_url(settings.host, settings.port))
        app = create_app(settings, store, web_dir=web_dir, warm=settings.warm_up,
                         admin_token=None if record is None else record.token, image_graphs=image_graphs,
                         token=token)
        # uvicorn re-raises SIGTERM after its graceful shutdown; end cleanly (exit 0, store closed) instead.
        previous = signal.signal(signal.SIGTERM, _exit_cleanly)
        try:
            # no access log (a log line per request costs CPU under load; errors are still logged);
            # uvicorn picks uvloop and httptools (project dependencies) for the event loop and HTTP parsing
            uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", lifespan="on",
                        timeout_keep_alive=KEEP_ALIVE_S, access_log=False)
        finally:
            signal.signal(signal.SIGTERM, previous)
    except SystemExit as stop:
        if stop.code not in (0, None):
            raise
    finally:
        release(store, record)
        store.close()
        log.info("server stopped; store closed")


def _exit_cleanly(signum: int, frame: object) -> None:
    del signum, frame
    raise SystemExit(0)
