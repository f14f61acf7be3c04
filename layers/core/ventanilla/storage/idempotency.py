"""Powertools idempotency records, kept in the single table (PK ``IDEMPOTENCY#<fn>``, TTL ``ttl``)."""

from __future__ import annotations

from functools import cache

import boto3
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

from ventanilla.settings import get_settings


@cache
def persistence(function: str) -> DynamoDBPersistenceLayer:
    settings = get_settings()
    return DynamoDBPersistenceLayer(
        table_name=settings.table_name,
        key_attr="PK",
        sort_key_attr="SK",
        static_pk_value=f"IDEMPOTENCY#{function}",
        expiry_attr="ttl",
        boto3_client=boto3.client("dynamodb", region_name=settings.region),
    )
