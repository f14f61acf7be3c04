"""SES v2 email, SNS SMS and SNS mobile push: the only module that sends a notice.

Every failure is classified: :class:`Permanent` (the address or endpoint will never work: record it,
do not retry) or :class:`Transient` (throttling, a service error, the network: the message goes back
to the queue). Anything unrecognised counts as transient, so a notice is retried, never dropped.
"""

from __future__ import annotations

import contextlib
import json
import threading
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from ventanilla.settings import get_settings


class SendError(Exception):
    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


class Permanent(SendError):
    """The recipient cannot be reached this way; retrying would fail the same."""


class Transient(SendError):
    """Worth retrying later."""


_PERMANENT_CODES = frozenset(
    {
        "MessageRejected",
        "MailFromDomainNotVerifiedException",
        "InvalidParameter",
        "InvalidParameterValue",
        "InvalidParameterException",
        "EndpointDisabled",
        "EndpointDisabledException",
        "NotFound",
        "NotFoundException",
        "AccountSuspendedException",
        "SendingPausedException",
    }
)

_local = threading.local()


def _client(service: str) -> Any:
    cache = getattr(_local, "clients", None)
    if cache is None:
        cache = _local.clients = {}
    if service not in cache:
        session: Any = boto3.session.Session()  # any service by name (typed stubs want a literal)
        cache[service] = session.client(service, region_name=get_settings().region)
    return cache[service]


def classify(error: Exception) -> SendError:
    if isinstance(error, ClientError):
        code = str(error.response.get("Error", {}).get("Code", "Unknown"))
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500) or 500)
        if code in _PERMANENT_CODES or (400 <= status < 500 and "Throttl" not in code and status != 429):
            return Permanent(code, str(error.response.get("Error", {}).get("Message", ""))[:200])
        return Transient(code)
    if isinstance(error, BotoCoreError):
        return Transient(type(error).__name__)
    return Transient(type(error).__name__)


def _call(fn: Any, **kwargs: Any) -> Any:
    try:
        return fn(**kwargs)
    except (ClientError, BotoCoreError) as error:
        raise classify(error) from error


def build_email(
    sender: str,
    sender_name: str,
    to: str,
    subject: str,
    text: str,
    html: str,
    unsubscribe_url: str,
    thread: dict[str, str] | None = None,
) -> bytes:
    """A multipart/alternative message with one-click unsubscribe headers (RFC 8058). ``thread``:
    Message-ID, Reply-To, In-Reply-To, References or Subject that keep a request's mail thread."""
    message = EmailMessage()
    local, _, domain = sender.partition("@")
    message["From"] = Address(display_name=sender_name, username=local, domain=domain)
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=domain or None)
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for name, value in (thread or {}).items():
        if name in ("Message-ID", "Reply-To", "In-Reply-To", "References", "Subject"):
            del message[name]
            message[name] = value
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message.as_bytes()


def send_email(
    sender: str, to: str, raw: bytes, configuration_set: str | None, tags: dict[str, str] | None = None
) -> str:
    """Send one raw email; ``tags`` become SES message tags (copied into the events SES publishes)."""
    params: dict[str, Any] = {
        "FromEmailAddress": sender,
        "Destination": {"ToAddresses": [to]},
        "Content": {"Raw": {"Data": raw}},
    }
    if tags:
        params["EmailTags"] = [{"Name": k, "Value": v} for k, v in tags.items()]
    if configuration_set:
        params["ConfigurationSetName"] = configuration_set
    return str(_call(_client("sesv2").send_email, **params)["MessageId"])


def send_sms(phone_e164: str, text: str, sender_id: str | None = None) -> str:
    attributes: dict[str, Any] = {
        "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}
    }
    if sender_id:
        attributes["AWS.SNS.SMS.SenderID"] = {"DataType": "String", "StringValue": sender_id}
    response = _call(
        _client("sns").publish, PhoneNumber=phone_e164, Message=text, MessageAttributes=attributes
    )
    return str(response["MessageId"])


def push_payload(title: str, body: str, url: str) -> str:
    """One SNS message with a payload per platform (FCM v1 and APNs)."""
    fcm = {
        "fcmV1Message": {"message": {"notification": {"title": title, "body": body}, "data": {"url": url}}}
    }
    apns = {"aps": {"alert": {"title": title, "body": body}, "sound": "default"}, "url": url}
    return json.dumps(
        {"default": body, "GCM": json.dumps(fcm), "APNS": json.dumps(apns), "APNS_SANDBOX": json.dumps(apns)}
    )


def send_push(endpoint_arn: str, title: str, body: str, url: str) -> str:
    response = _call(
        _client("sns").publish,
        TargetArn=endpoint_arn,
        Message=push_payload(title, body, url),
        MessageStructure="json",
    )
    return str(response["MessageId"])


def create_endpoint(application_arn: str, token: str) -> str:
    response = _call(
        _client("sns").create_platform_endpoint, PlatformApplicationArn=application_arn, Token=token
    )
    return str(response["EndpointArn"])


def delete_endpoint(endpoint_arn: str) -> None:
    # Cleanup only: an endpoint already gone is what we wanted.
    with contextlib.suppress(ClientError, BotoCoreError):
        _client("sns").delete_endpoint(EndpointArn=endpoint_arn)
