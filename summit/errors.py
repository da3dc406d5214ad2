"""Errors with meaning: one small hierarchy, mapped once to exit codes and GraphQL codes.

Library code raises these with an actionable message. The CLI (``summit.cli``)
turns them into ``error: <message>`` and the exit code below; the GraphQL server
turns them into errors whose ``extensions.code`` is the ``code`` below. Anything
that is not a ``SummitError`` is an internal error: masked in responses.
"""

from __future__ import annotations


class SummitError(Exception):
    """Base of every error the user is meant to read."""

    exit_code = 1
    code = "SUMMIT_ERROR"


class BadInput(SummitError, ValueError):
    """An argument, setting or input file is wrong; the message names which and why."""

    exit_code = 2
    code = "BAD_INPUT"


class NotFound(SummitError, LookupError):
    """A model, class, neuron or file that was asked for does not exist."""

    exit_code = 3
    code = "NOT_FOUND"


class ArtifactError(SummitError):
    """An artifact directory is damaged, foreign or of another format version."""

    exit_code = 4
    code = "BAD_ARTIFACT"


class StoreUnavailable(SummitError):
    """The graph store cannot be reached or opened."""

    exit_code = 5
    code = "STORE_UNAVAILABLE"


class StoreBusy(StoreUnavailable):
    """Another process has the embedded store open for writing (``pid`` when the database names it)."""

    def __init__(self, message: str, pid: int | None = None):
        super().__init__(message)
        self.pid = pid


class Unavailable(SummitError):
    """What the request needs is switched off or impossible here (e.g. image graphs of a model without weights)."""

    exit_code = 1
    code = "UNAVAILABLE"


class LimitExceeded(SummitError):
    """A request asks for more than the configured limits allow."""

    exit_code = 2
    code = "LIMIT_EXCEEDED"


class TimedOut(LimitExceeded):
    """Work ran past its deadline (a request's ``request_timeout``) and was stopped."""


class RateLimited(SummitError):
    """A client sent more requests, or more heavy queries at once, than the server's rate limits allow."""

    exit_code = 2
    code = "RATE_LIMITED"

    def __init__(self, message: str, retry_after: float = 1.0):
        super().__init__(message)
        self.retry_after = retry_after


class Unauthorized(SummitError):
    """The server needs an access token (or a session from a one-time link) that the request lacks."""

    exit_code = 2
    code = "UNAUTHORIZED"


class WeightsUnavailable(SummitError):
    """Model weights cannot be found or loaded."""

    exit_code = 6
    code = "WEIGHTS_UNAVAILABLE"


class Forbidden(SummitError):
    """The request may not do this: it lacks write rights, or the store is read-only while serving."""

    exit_code = 2
    code = "FORBIDDEN"


EXIT_INTERRUPTED = 130
