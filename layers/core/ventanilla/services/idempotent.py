"""Creating a request exactly once per Idempotency-Key (Powertools idempotency).

A retried POST with the same key and body returns the first answer (number and access code
included) and writes nothing; the same key with another body is refused. Records expire after an
hour (table TTL), so the first answer, access code included, is not kept longer than that.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from ventanilla.auth import Principal
from ventanilla.errors import BadRequest, Conflict, ValidationFailed
from ventanilla.models.ticket import CreateTicketIn, TicketCreated
from ventanilla.services import intake_guard, tickets
from ventanilla.storage.idempotency import persistence

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

_create: Any = None


@cache
def _config() -> IdempotencyConfig:
    """Built on the first keyed creation: Powertools' idempotency package costs ~0.2 s to import."""
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="[body, by, received_at]",
        expires_after_seconds=3600,
        raise_on_no_idempotency_key=True,
        use_local_cache=False,
    )


def _idempotent_create() -> Any:
    global _create
    if _create is None:
        from aws_lambda_powertools.utilities.idempotency import idempotent_function

        def create(request: dict[str, Any]) -> dict[str, Any]:
            body = CreateTicketIn.model_validate(request["body"])
            received = request.get("received_at")
            return _guarded_create(
                body,
                _principal(request["by"]),
                request.get("client"),
                datetime.fromisoformat(received) if received else None,
            ).model_dump(mode="json")

        _create = idempotent_function(
            data_keyword_argument="request", persistence_store=persistence("create_ticket"), config=_config()
        )(create)
    return _create


def _plain(by: Principal | None) -> dict[str, Any] | None:
    """The filing staff member as JSON: part of the remembered call (a retry by another is refused)."""
    return None if by is None else {**asdict(by), "groups": sorted(by.groups), "teams": list(by.teams)}


def _principal(data: dict[str, Any] | None) -> Principal | None:
    return (
        None
        if data is None
        else Principal(**{**data, "groups": frozenset(data["groups"]), "teams": tuple(data["teams"])})
    )


def _guarded_create(
    body: CreateTicketIn, by: Principal | None, client: str | None, received_at: datetime | None = None
) -> TicketCreated:
    """Filing limits, read first and counted once the request exists (so a refused or invalid filing
    writes nothing, and a replay of an idempotent request, answered before, costs nothing)."""
    if client is None:
        return tickets.create_ticket(body, by=by, received_at=received_at)
    filing = intake_guard.check_filing(client, body.requester.email, body.requester.phone)
    created = tickets.create_ticket(body, by=by)
    intake_guard.count_filing(filing)
    return created


def create_once(
    body: CreateTicketIn,
    key: str | None,
    lambda_context: Any = None,
    by: Principal | None = None,
    client: str | None = None,
    received_at: datetime | None = None,
) -> TicketCreated:
    """File the request once per key; ``by`` is the staff member filing for the requester, ``client``
    the citizen's address held to the filing limits (None: staff, imports, the demo), ``received_at``
    an earlier arrival entered by staff. A staff filing whose form names an asset (``inventario``)
    is linked to it, checked before anything is written."""
    from ventanilla.services import assets

    asset = assets.asset_for_filing(by, body.form) if by is not None else None
    created = _create_once(body, key, lambda_context, by, client, received_at)
    if asset is not None and by is not None:
        assets.link_filed(by, created.number, asset)  # a replayed filing finds it linked
    return created


def _create_once(
    body: CreateTicketIn,
    key: str | None,
    lambda_context: Any,
    by: Principal | None,
    client: str | None,
    received_at: datetime | None,
) -> TicketCreated:
    if key is None:
        return _guarded_create(body, by, client, received_at)
    if not 8 <= len(key) <= 128 or not key.isprintable():
        raise BadRequest("invalid_idempotency_key")
    if lambda_context is not None:  # lets an in-progress record expire with the invocation
        _config().register_lambda_context(lambda_context)
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    try:
        result = _idempotent_create()(
            request={
                "key": key,
                "body": body.model_dump(mode="json"),
                "by": _plain(by),
                "client": client,
                "received_at": received_at.isoformat() if received_at else None,
            }
        )
    except IdempotencyValidationError as error:
        raise ValidationFailed("idempotency_key_reused") from error
    except IdempotencyAlreadyInProgressError as error:
        raise Conflict("idempotency_in_progress") from error
    return TicketCreated.model_validate(result)
