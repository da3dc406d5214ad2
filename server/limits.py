"""Request protection: query-shape limiters and argument checks with stable error codes.

Query shape (depth, tokens, aliases) is checked before execution by strawberry
extensions; argument values (negative limits, too many results, hops, K) are
checked in resolvers with the helpers below, which raise ``BadInput`` (wrong)
or ``LimitExceeded`` (more than the server allows).
"""

from __future__ import annotations

from collections.abc import Callable

from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)

from summit.errors import BadInput, LimitExceeded
from summit.ids import parse_neuron_id
from summit.settings import Settings


def query_limiters(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    """Factories of the query-shape extensions set by ``max_depth``, ``max_tokens``, ``max_aliases``.

    The depth and alias rules are built once and shared by every request's extension: the
    validation cache is keyed by the rule classes, so new classes per request would miss it.
    """
    depth, tokens, aliases = settings.max_depth, settings.max_tokens, settings.max_aliases
    rules = [*QueryDepthLimiter(max_depth=depth).validation_rules,
             *MaxAliasesLimiter(max_alias_count=aliases).validation_rules]
    return [
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=tokens),
    ]


# Fragments of the messages the limiters above produce (graphql-core / strawberry);
# tests/server/test_limits.py fails if a library update changes them.
LIMIT_MESSAGES = ("exceeds maximum operation depth", "tokens. Parsing aborted", "aliases found. Allowed")


def is_limit_message(message: str) -> bool:
    return any(fragment in message for fragment in LIMIT_MESSAGES)


def check_count(name: str, value: int | None, maximum: int) -> int | None:
    """A list-size argument: >= 0 (else BadInput) and <= ``maximum`` (else LimitExceeded)."""
    if value is None:
        return None
    if value < 0:
        raise BadInput(f"{name} must be >= 0, got {value}")
    if value > maximum:
        raise LimitExceeded(f"{name} = {value} is more than this server allows (max_results = {maximum})")
    return value


def check_range(name: str, value: int, minimum: int, maximum: int, setting: str) -> int:
    """An argument with a hard range: below ``minimum`` is BadInput, above ``maximum`` LimitExceeded."""
    if value < minimum:
        raise BadInput(f"{name} must be >= {minimum}, got {value}")
    if value > maximum:
        raise LimitExceeded(f"{name} = {value} is more than this server allows ({setting} = {maximum})")
    return value


def check_result_size(what: str, size: int, maximum: int, hint: str) -> None:
    """Refuse a result list longer than ``max_results`` (with a hint how to ask for less)."""
    if size > maximum:
        raise LimitExceeded(f"{what} has {size} items, more than max_results = {maximum}; {hint}")


def check_neuron_id(value: str, name: str = "neuron id") -> str:
    """A well-formed neuron id (``layer:channel``), else BadInput naming the argument."""
    try:
        parse_neuron_id(value)
    except BadInput as exc:
        raise BadInput(f"{name}: {exc}") from None
    return value
