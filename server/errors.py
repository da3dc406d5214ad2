"""GraphQL error shaping: stable ``extensions.code`` for every error, internal errors masked.

Applied once per response by the view (``SummitGraphQL.process_result``), so
parse, validation and execution errors all pass through it.

- ``SummitError`` (raised by resolvers or the store): its message and ``code``; errors whose
  message may name infrastructure (``StoreUnavailable``, ``ArtifactError``: hosts, ports, paths)
  get a fixed public message instead (the log keeps the original for the operator).
- ``RateLimited`` also makes the HTTP status 429 with ``Retry-After`` (``rate_limit_status``).
- Query-shape limits (depth, tokens, aliases): ``LIMIT_EXCEEDED``.
- Other parse/validation errors, and variable values their type refuses: ``BAD_QUERY``
  (graphql-core's message is safe to show).
- Anything else is internal: message ``internal error (ref <id>)``, code ``INTERNAL``;
  the log gets the reference, the exception type and where it was raised, never
  the exception message or a stack trace (they can hold Cypher or credentials).
"""

from __future__ import annotations

import logging
import secrets
import traceback

from graphql.error import GraphQLError
from starlette.responses import JSONResponse
from summit.server.limits import is_limit_message

from summit.errors import (
    ArtifactError,
    BadInput,
    LimitExceeded,
    NotFound,
    RateLimited,
    StoreUnavailable,
    SummitError,
)

log = logging.getLogger("summit.server")

INTERNAL = "INTERNAL"
BAD_QUERY = "BAD_QUERY"

# Errors whose message can name hosts, ports or paths: clients read these instead.
PUBLIC_MESSAGES: dict[type[SummitError], str] = {
    StoreUnavailable: "the graph store is not reachable right now; try again shortly (the server log says why)",
    ArtifactError: "the loaded data cannot be read; the server log says why",
}


def public_message(error: SummitError) -> str:
    for kind, message in PUBLIC_MESSAGES.items():
        if isinstance(error, kind):
            return message
    return str(error)


def rate_limit_status(errors: list[GraphQLError]) -> float | None:
    """Seconds for ``Retry-After`` when an error is ``RateLimited`` (the answer is then HTTP 429), else None."""
    waits = [e.original_error.retry_after for e in errors if isinstance(e.original_error, RateLimited)]
    return max(waits) if waits else None


def _where(exc: BaseException) -> str:
    """``file:line`` of the innermost frame: enough to find the bug, nothing secret."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{last.filename.rsplit('/', 1)[-1]}:{last.lineno}"


def shape_error(error: GraphQLError) -> GraphQLError:
    """Return ``error`` with a code, or its masked replacement for internal errors."""
    original = error.original_error
    if isinstance(original, SummitError):
        code, message = original.code, public_message(original)
        log.info("graphql %s: %s", code, original)
    elif original is None or isinstance(original, GraphQLError):
        # graphql-core's own errors: parse, validation, and a variable's value that its type refuses
        # (the scalar's GraphQLError is kept as the original error); their messages are safe to show
        code = LimitExceeded.code if is_limit_message(error.message) else BAD_QUERY
        message = error.message
        log.info("graphql %s: %s", code, message)
    else:
        ref = secrets.token_hex(4)
        path = ".".join(str(p) for p in error.path or ())
        log.error("internal error ref=%s field=%s type=%s at %s", ref, path or "-",
                  type(original).__name__, _where(original))
        code, message = INTERNAL, f"internal error (ref {ref})"
    extensions = {**(error.extensions or {}), "code": code}
    return GraphQLError(message, nodes=error.nodes, source=error.source, positions=error.positions,
                        path=error.path, original_error=None, extensions=extensions)


def http_refusal(status: int, message: str, code: str | None = None) -> JSONResponse:
    """A request refused before GraphQL runs (unparsable body, wrong method): the status with a
    GraphQL-shaped error body and a code (by default the status's), like every other error this server gives."""
    code = code or {403: "FORBIDDEN", 404: NotFound.code, 413: LimitExceeded.code,
                    500: INTERNAL}.get(status, BadInput.code)
    log.info("http %d %s: %s", status, code, message)
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)
