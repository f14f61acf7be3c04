"""Environment of every function, validated once at cold start (a missing name fails loudly there)."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field


class EnvSettings(BaseModel):
    """A model read from the environment (:meth:`from_env`), each field from the variable its
    alias names. Plain pydantic: pydantic-settings' import (with asyncio and dotenv, ~0.1 s) was a
    large part of every function's cold start, for what one dict does."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    @classmethod
    def from_env(cls, **values: Any) -> Self:
        """The environment's values, ``values`` (by field name or variable) overriding them."""
        return cls.model_validate({**os.environ, **values})


class Settings(EnvSettings):
    table_name: str = Field(alias="TABLE_NAME", min_length=3)
    event_bus_name: str = Field(default="default", alias="EVENT_BUS_NAME")
    user_pool_id: str = Field(default="", alias="USER_POOL_ID")
    user_pool_client_id: str = Field(default="", alias="USER_POOL_CLIENT_ID")
    citizen_pool_id: str = Field(default="", alias="CITIZEN_POOL_ID")
    citizen_pool_client_id: str = Field(default="", alias="CITIZEN_POOL_CLIENT_ID")
    """The citizens' own user pool (optional accounts); its tokens never open staff routes."""
    retention_years: int = Field(default=5, alias="RETENTION_YEARS", ge=1, le=100)
    """Closed requests are anonymised this many years after closing (RETENTION_BY_TYPE overrides)."""
    retention_by_type: str = Field(
        default="", alias="RETENTION_BY_TYPE", pattern=r"^([a-z0-9-]+=[0-9]{1,3}(,[a-z0-9-]+=[0-9]{1,3})*)?$"
    )
    """Per request type: ``type=years,type=years`` (e.g. ``transparencia=10``)."""
    account_exports_per_day: int = Field(default=5, alias="ACCOUNT_EXPORTS_PER_DAY", ge=1)
    account_erasures_per_day: int = Field(default=3, alias="ACCOUNT_ERASURES_PER_DAY", ge=1)
    region: str = Field(default="us-east-1", alias="AWS_REGION")
    endpoint_url: str | None = Field(default=None, alias="AWS_ENDPOINT_URL")
    """Set only locally: boto3 sends every call there (the moto server)."""
    public_base_url_value: str = Field(default="", alias="PUBLIC_BASE_URL")
    public_base_url_parameter: str = Field(default="", alias="PUBLIC_BASE_URL_PARAMETER")
    """In AWS: the SSM parameter with the portal's address, used when PUBLIC_BASE_URL is empty."""
    attachments_bucket: str = Field(default="", alias="ATTACHMENTS_BUCKET")
    country: str = Field(default="CL", alias="INSTITUTION_COUNTRY", pattern=r"^[A-Z]{2}$")
    institution_name: str = Field(default="Municipalidad de Valle Verde", alias="INSTITUTION_NAME")
    open311_jurisdiction: str = Field(default="", alias="OPEN311_JURISDICTION", max_length=200)
    """Open311 jurisdiction_id (e.g. the institution's domain); empty: any value is accepted."""
    max_body_bytes: int = Field(default=256_000, alias="MAX_BODY_BYTES")
    # ---- abuse controls at intake ----
    filing_per_client_per_hour: int = Field(default=30, alias="FILING_PER_CLIENT_PER_HOUR", ge=1)
    """Requests one client (IP) may file per hour, all at once or spread (a token bucket)."""
    filing_per_address_per_day: int = Field(default=5, alias="FILING_PER_ADDRESS_PER_DAY", ge=1)
    """Requests naming one email or one phone per day: the institution is nobody's relay."""
    subscribe_per_client_per_hour: int = Field(default=10, alias="SUBSCRIBE_PER_CLIENT_PER_HOUR", ge=1)
    """Subscriptions one client (IP) may start per hour: each one sends an email or an SMS."""
    subscribe_per_address_per_day: int = Field(default=3, alias="SUBSCRIBE_PER_ADDRESS_PER_DAY", ge=1)
    """Subscriptions naming one email or one phone per day (confirmation messages to a stranger)."""
    code_attempts: int = Field(default=5, alias="CODE_ATTEMPTS", ge=1)
    code_lockout_minutes: int = Field(default=15, alias="CODE_LOCKOUT_MINUTES", ge=1)
    """After CODE_ATTEMPTS wrong access codes within this window, the number answers 429 until it ends."""
    sms_countries: str = Field(default="", alias="SMS_COUNTRIES", pattern=r"^([A-Z]{2}(,[A-Z]{2})*)?$")
    """Countries SMS may go to (ISO codes, comma-separated); empty means the institution's own."""
    sms_daily_segments_per_number: int = Field(default=20, alias="SMS_DAILY_SEGMENTS_PER_NUMBER", ge=1)
    sms_daily_segments: int = Field(default=5000, alias="SMS_DAILY_SEGMENTS", ge=1)
    """Every SMS segment the institution sends in a day, all numbers together: a spend cap."""
    trust_cdn_client_header: bool = Field(default=False, alias="TRUST_CDN_CLIENT_HEADER")
    """Behind CloudFront the client is CloudFront-Viewer-Address, not the connection's address."""
    # ---- notifications (issue 5) ----
    notify_secret_arn: str = Field(default="", alias="NOTIFY_SECRET_ARN")
    notifications_queue_url: str = Field(default="", alias="NOTIFICATIONS_QUEUE_URL")
    notifications_dlq_url: str = Field(default="", alias="NOTIFICATIONS_DLQ_URL")
    email_sender: str = Field(default="avisos@ventanilla.example.org", alias="EMAIL_SENDER")
    ses_configuration_set: str = Field(default="", alias="SES_CONFIGURATION_SET")
    # ---- email in (issue 13) ----
    requests_address: str = Field(default="", alias="REQUESTS_ADDRESS", max_length=254)
    """The address citizens write to (SES receiving); empty: no email intake, notices unthreaded."""
    email_max_bytes: int = Field(default=30_000_000, alias="EMAIL_MAX_BYTES", ge=10_000)
    """A received mail larger than this opens nothing; the sender gets a bounce-style reply."""
    fcm_application_arn: str = Field(default="", alias="FCM_APPLICATION_ARN")
    apns_application_arn: str = Field(default="", alias="APNS_APPLICATION_ARN")
    sms_sender_id: str = Field(default="", alias="SMS_SENDER_ID")
    vapid_secret_arn: str = Field(default="", alias="VAPID_SECRET_ARN")
    """Web Push's VAPID key pair (JSON); ``python -m infra.ops.vapid`` generates and stores it."""
    vapid_contact: str = Field(default="", alias="VAPID_CONTACT")
    """The VAPID ``sub`` claim push services contact about abuse (mailto:); the sender's address
    when empty."""
    webpush_allowed_hosts: str = Field(
        default="fcm.googleapis.com,updates.push.services.mozilla.com,push.apple.com,notify.windows.com",
        alias="WEBPUSH_ALLOWED_HOSTS",
    )
    """Push services a subscription may name (comma-separated host suffixes; ``http://host:port``
    for a local push service). The notifier POSTs only there."""
    notify_max_receives: int = Field(default=5, alias="NOTIFY_MAX_RECEIVES", ge=1)
    """The notifications queue's maxReceiveCount: the attempt that fails for good is recorded."""
    notify_retry_base_seconds: int = Field(default=10, alias="NOTIFY_RETRY_BASE_SECONDS", ge=0)
    """Backoff of a transient failure: base * 2^(attempt-1) seconds, at most 15 minutes."""
    # ---- outbound webhooks (issue 17) ----
    webhooks_queue_url: str = Field(default="", alias="WEBHOOKS_QUEUE_URL")
    webhooks_dlq_url: str = Field(default="", alias="WEBHOOKS_DLQ_URL")
    webhook_max_receives: int = Field(default=8, alias="WEBHOOK_MAX_RECEIVES", ge=1)
    """The webhooks queue's maxReceiveCount: a delivery failing that many times is a dead letter."""
    webhook_retry_base_seconds: int = Field(default=30, alias="WEBHOOK_RETRY_BASE_SECONDS", ge=0)
    """Backoff of a failed delivery: base * 2^(attempt-1) seconds, at most an hour."""
    webhooks_allow_private: bool = Field(default=False, alias="WEBHOOKS_ALLOW_PRIVATE")
    """Local runner only: endpoints on loopback and private networks (a receiver on this machine);
    plain http is allowed too. Never set in AWS, where the SSRF guard refuses them."""
    # ---- proactive service (issue 16) ----
    proactive_queue_url: str = Field(default="", alias="PROACTIVE_QUEUE_URL")
    """Fan-out queue of alerts: one message per audience page, one per batch of recipients."""
    proactive_send_rate: int = Field(default=50, alias="PROACTIVE_SEND_RATE", ge=1, le=10_000)
    """Messages a second the fan-out paces itself to (the SES / SNS quotas of the account)."""
    proactive_batch: int = Field(default=100, alias="PROACTIVE_BATCH", ge=1, le=500)
    """Recipients per delivery message (one audience Query page)."""
    proactive_queue_arn: str = Field(default="", alias="PROACTIVE_QUEUE_ARN")
    """Target of the campaigns' schedules (EventBridge Scheduler sends their message there)."""
    campaign_schedule_group: str = Field(default="", alias="CAMPAIGN_SCHEDULE_GROUP")
    campaign_scheduler_role_arn: str = Field(default="", alias="CAMPAIGN_SCHEDULER_ROLE_ARN")
    proactive_channel_order: str = Field(
        default="webpush,push,sms,email", alias="PROACTIVE_CHANNEL_ORDER", pattern=r"^[a-z]+(,[a-z]+)*$"
    )
    """Order an alert goes out on a subscriber's confirmed channels; a new channel (webpush) joins
    by registering a sender in ventanilla.proactive.channels and naming it here."""
    notify_coalesce_seconds: int = Field(default=120, alias="NOTIFY_COALESCE_SECONDS", ge=0, le=900)
    """Citizen notices of one request within this window go out as one (the public message carries
    the status); 0 sends each at once. At most 900: SQS's longest DelaySeconds."""
    help_search_engine: str = Field(
        default="tantivy", alias="HELP_SEARCH_ENGINE", pattern=r"^(tantivy|opensearch)$"
    )
    """tantivy on one machine (API and indexer share one process); opensearch in AWS."""
    help_index_path: str = Field(default="", alias="HELP_INDEX_PATH")
    help_index_bucket: str = Field(default="", alias="HELP_INDEX_BUCKET")
    """With tantivy in AWS: the versioned bucket the indexer publishes the index to (empty locally,
    where the API and the indexer share one in-process engine)."""
    """Folder of the tantivy index; empty keeps it in memory (rebuilt from the table's stream)."""
    opensearch_url: str = Field(default="", alias="OPENSEARCH_URL")
    opensearch_index: str = Field(default="help-articles", alias="OPENSEARCH_INDEX")

    @property
    def public_base_url(self) -> str:
        """The portal's address for links in notices and answers (no trailing slash)."""
        if self.public_base_url_value:
            return self.public_base_url_value.rstrip("/")
        if self.public_base_url_parameter:
            from ventanilla.integrations.parameters import parameter  # only where links are built

            return parameter(self.public_base_url_parameter, self.region).rstrip("/")
        return "http://localhost:8000"

    @property
    def sms_country_list(self) -> frozenset[str]:
        return frozenset(self.sms_countries.split(",")) if self.sms_countries else frozenset({self.country})

    @property
    def jwks_url(self) -> str:
        return self.jwks_url_of(self.user_pool_id)

    def jwks_url_of(self, pool_id: str) -> str:
        if self.endpoint_url:
            return f"{self.endpoint_url.rstrip('/')}/{pool_id}/.well-known/jwks.json"
        return f"https://cognito-idp.{self.region}.amazonaws.com/{pool_id}/.well-known/jwks.json"

    @property
    def issuer(self) -> str:
        return self.issuer_of(self.user_pool_id)

    def issuer_of(self, pool_id: str) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{pool_id}"

    def retention_years_of(self, type_code: str) -> int:
        """Years a closed request of ``type_code`` is kept before it is anonymised."""
        for pair in filter(None, self.retention_by_type.split(",")):
            code, years = pair.split("=")
            if code == type_code:
                return int(years)
        return self.retention_years


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
