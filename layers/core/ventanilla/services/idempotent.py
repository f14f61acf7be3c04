"""Creating a request exactly once per Idempotency-Key (Powertools idempotency).

A retried POST with the same key and body returns the first answer (number and access code
included) and writes nothing; the same key with another body is refused. Records expire after an
hour (table TTL), so the first answer, access code included, is not kept longer than that.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from ventanilla.errors import BadRequest, Conflict, ValidationFailed
from ventanilla.models.ticket import CreateTicketIn, TicketCreated
from ventanilla.services import intake_guard, tickets
from ventanilla.storage.idempotency import persistence

_CONFIG = IdempotencyConfig(
    event_key_jmespath="key",
    payload_validation_jmespath="body",
    expires_after_seconds=3600,
    raise_on_no_idempotency_key=True,
    use_local_cache=False,
)
_create: Any = None


def _idempotent_create() -> Any:
    global _create
    if _create is None:

        def create(request: dict[str, Any]) -> dict[str, Any]:
            body = CreateTicketIn.model_validate(request["body"])
            return _guarded_create(body, request.get("client")).model_dump(mode="json")

        _create = idempotent_function(
            data_keyword_argument="request", persistence_store=persistence("create_ticket"), config=_CONFIG
        )(create)
    return _create


def _guarded_create(body: CreateTicketIn, client: str | None) -> TicketCreated:
    """Filing limits first (a replay of an idempotent request is answered before, and costs none)."""
    if client is None:
        return tickets.create_ticket(body)
    filing = intake_guard.check_filing(client, body.requester.email, body.requester.phone)
    created = tickets.create_ticket(body)
    intake_guard.count_filing(filing)
    return created


def create_once(
    body: CreateTicketIn, key: str | None, lambda_context: Any = None, client: str | None = None
) -> TicketCreated:
    """Create the request once per key; ``client`` (a citizen's address) is held to the filing limits,
    None (staff, imports, the demo) is not."""
    if key is None:
        return _guarded_create(body, client)
    if not 8 <= len(key) <= 128 or not key.isprintable():
        raise BadRequest("invalid_idempotency_key")
    if lambda_context is not None:  # lets an in-progress record expire with the invocation
        _CONFIG.register_lambda_context(lambda_context)
    try:
        result = _idempotent_create()(
            request={"key": key, "body": body.model_dump(mode="json"), "client": client}
        )
    except IdempotencyValidationError as error:
        raise ValidationFailed("idempotency_key_reused") from error
    except IdempotencyAlreadyInProgressError as error:
        raise Conflict("idempotency_in_progress") from error
    return TicketCreated.model_validate(result)
