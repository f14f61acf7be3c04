"""Forum notices by the channels the citizen chose (issue 15, item 5): email, and Web Push to the
account's browsers when the citizen chose push.

Every forum notice is first an item in the person's notices (``FUSER#<account> / MOD#...``, read by
``GET /api/v1/forum/me``). Its stream record becomes a ``ForumNoticeCreated`` event on the bus;
the notifications rule sends it to the notifier's queue like the ticket events, and the notifier
hands it here: the notice is claimed on its item (so a redelivery sends nothing twice), rendered
from our Jinja2 templates in the citizen's language and mailed with one-click unsubscribe headers
(RFC 8058). A follower's notice carries a signed link that stops that topic only (it unfollows);
a moderation notice carries the notifier's general email opt-out. Staff accounts get nothing by
mail (they read the console); "masked" notices are already shown in the answer to the author.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ventanilla import clock
from ventanilla.domain_events import DomainEvent
from ventanilla.errors import NotFound
from ventanilla.integrations import messaging
from ventanilla.integrations import secrets as secret_store
from ventanilla.models.common import iso
from ventanilla.models.forum import ForumUnsubscribeOut
from ventanilla.notify import optout
from ventanilla.settings import get_settings
from ventanilla.storage import accounts as account_store
from ventanilla.storage import forum as store
from ventanilla.storage import notices as notice_store

logger = Logger(service="forum-mail", child=True)

SOURCE = "ventanilla.forum"
NOTICE_CREATED = "ForumNoticeCreated"
MAILED_ACTIONS = frozenset(
    {"reply", "accepted", "hide", "restore", "approve", "lock", "unlock", "move", "merge", "warn"}
    | {"suspend", "ban", "unban"}
)
FOLLOWER_ACTIONS = frozenset({"reply", "accepted"})
_DOMAIN = b"ventanilla/forum-unfollow/v1\x00"
_ACCOUNT = re.compile(r"^acct-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$")
_TOPIC = re.compile(r"^t[0-9a-f]{23}$")
_LABELS = {
    "hide": ("publicación ocultada", "post hidden"),
    "restore": ("publicación restaurada", "post restored"),
    "approve": ("publicación aprobada", "post approved"),
    "lock": ("tema cerrado", "topic locked"),
    "unlock": ("tema reabierto", "topic reopened"),
    "move": ("tema movido de categoría", "topic moved"),
    "merge": ("tema unido a otro", "topic merged"),
    "warn": ("advertencia", "warning"),
    "suspend": ("cuenta suspendida por un tiempo", "account suspended for a while"),
    "ban": ("cuenta bloqueada", "account banned"),
    "unban": ("cuenta desbloqueada", "account unbanned"),
}


class RetryMail(Exception):
    """The mail failed transiently; the queue must bring the event back."""


# ---- stream record -> event ------------------------------------------------------------------------


def notice_event(
    event_name: str, keys: Mapping[str, Any] | None, new_image: Mapping[str, Any] | None
) -> DomainEvent | None:
    """The event of a new forum notice to a citizen; None for any other record."""
    if event_name != "INSERT" or not keys or not new_image:
        return None
    pk, sk = str(keys.get("PK", "")), str(keys.get("SK", ""))
    if not pk.startswith("FUSER#") or not sk.startswith("MOD#"):
        return None
    account = pk[6:]
    if not _ACCOUNT.match(account) or new_image.get("action") not in MAILED_ACTIONS:
        return None
    return DomainEvent(source=SOURCE, detail_type=NOTICE_CREATED, detail={"account": account, "sk": sk})


# ---- the per-topic unsubscribe token ---------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _mac(tid: str, account: str) -> bytes:
    payload = f"{tid}.{account}".encode()
    return hmac.new(secret_store.notify_secret(), _DOMAIN + payload, hashlib.sha256).digest()[:16]


def unfollow_token(tid: str, account: str) -> str:
    """``<topic>.<account>.<mac>``: opaque ids only (no email), signed under the notify secret."""
    return f"{tid}.{account}.{_b64(_mac(tid, account))}"


def read_unfollow_token(token: str) -> tuple[str, str]:
    """(topic, account) of a valid token; 404 for anything else (nothing says which part failed)."""
    parts = token.split(".") if isinstance(token, str) and len(token) <= 200 else []
    if len(parts) != 3 or not _TOPIC.match(parts[0]) or not _ACCOUNT.match(parts[1]):
        raise NotFound("forum_unsubscribe_invalid")
    try:
        given = base64.urlsafe_b64decode(parts[2] + "=" * (-len(parts[2]) % 4))
    except (binascii.Error, ValueError):
        raise NotFound("forum_unsubscribe_invalid") from None
    if not hmac.compare_digest(given, _mac(parts[0], parts[1])):
        raise NotFound("forum_unsubscribe_invalid")
    return parts[0], parts[1]


def unfollow_url(tid: str, account: str) -> str:
    """The portal page (it shows the topic and asks to confirm: link scanners follow GETs)."""
    return f"{get_settings().public_base_url}/#/foro/baja/{unfollow_token(tid, account)}"


def one_click_url(tid: str, account: str) -> str:
    """The API address mail clients POST to themselves (List-Unsubscribe-Post, RFC 8058)."""
    return f"{get_settings().public_base_url}/api/v1/forum/unsubscribe/{unfollow_token(tid, account)}"


def unsubscribe(token: str, confirm: bool) -> ForumUnsubscribeOut:
    """What the link stops (the topic's title); with ``confirm`` the account stops following it."""
    tid, account = read_unfollow_token(token)
    topic = store.get_post(tid, "topic") or {}
    following = store.is_following(tid, account)
    if confirm and following:
        store.follow(tid, account, iso(clock.now()), False)
        following = False
    return ForumUnsubscribeOut(topic_id=tid, title=str(topic.get("title", "")), following=following)


# ---- the notifier's part ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(Path(__file__).parent.parent / "notify" / "forum_templates"),
        autoescape=select_autoescape(["html.j2"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def render(action: str, lang: str, **context: Any) -> tuple[str, str, str]:
    """(subject, text, html) of a forum notice in ``lang`` (es or en)."""
    env = _env()
    lang = "en" if lang == "en" else "es"
    label = _LABELS.get(action, ("", ""))[1 if lang == "en" else 0]
    values = {"lang": lang, "action": action, "action_label": label, **context}
    subject = " ".join(env.get_template("notice.subject.j2").render(**values).split())
    text = env.get_template("notice.txt.j2").render(**values).strip() + "\n"
    return subject, text, env.get_template("notice.html.j2").render(**values)


def _general_opt_out(account: str) -> tuple[str, str]:
    """The notifier's own email opt-out for this citizen: (page url, one-click url)."""
    token = optout.make_token(secret_store.notify_secret(), f"c:{account}", "email", int(time.time()))
    base = get_settings().public_base_url
    return f"{base}/#/baja/{token}", f"{base}/api/v1/notifications/opt-out/{token}"


def deliver(detail: Mapping[str, Any]) -> dict[str, int]:
    """Send one forum notice by the citizen's channels; counts by outcome. Raises RetryMail."""
    account, sk = str(detail.get("account", "")), str(detail.get("sk", ""))
    if not _ACCOUNT.match(account) or not sk.startswith("MOD#"):
        return {"skipped": 1}
    notice = store.get_notice(account, sk)
    person = account_store.get_account(account)
    if notice is None or person is None or notice.get("mailed_at"):
        return {"skipped": 1}
    action, tid = str(notice.get("action")), str(notice.get("topic_id") or "")
    follower = action in FOLLOWER_ACTIONS
    if follower and not (tid and store.is_following(tid, account)):
        return {"unsubscribed": 1}  # unfollowed since: that topic's notices stopped
    emails = person.verified("email")
    owner = notice_store.citizen_owner(account)
    opted_out = notice_store.opted_out(owner)
    by_email = "email" in person.notice_channels and bool(emails) and "email" not in opted_out
    browsers = (
        [d for d in notice_store.devices(owner) if d.get("platform") == "webpush" and d.get("subscription")]
        if "push" in person.notice_channels and "push" not in opted_out
        else []
    )
    if not by_email and not browsers:
        return {"not_chosen": 1}  # the notice stays in the portal (GET /api/v1/forum/me)
    if not store.claim_notice(account, sk, iso(clock.now())):
        return {"skipped": 1}
    settings = get_settings()
    topic = (store.get_post(tid, "topic") or {}) if tid else {}
    title = str(topic.get("title") or notice.get("reason") or "")
    if follower:
        page, one_click = unfollow_url(tid, account), one_click_url(tid, account)
    else:
        page, one_click = _general_opt_out(account)
    subject, text, html = render(
        action,
        person.language,
        title=title,
        reason=str(notice.get("reason", "")),
        institution=settings.institution_name,
        topic_url=f"{settings.public_base_url}/#/foro/tema/{tid}"
        if tid
        else f"{settings.public_base_url}/#/foro",
        follower=follower,
        unsubscribe_url=page,
    )
    outcome: dict[str, int] = {}
    if by_email:
        raw = messaging.build_email(
            settings.email_sender, settings.institution_name, emails[0], subject, text, html, one_click
        )
        try:
            configuration = settings.ses_configuration_set or None
            messaging.send_email(settings.email_sender, emails[0], raw, configuration)
            outcome["sent"] = 1
        except messaging.Permanent as error:
            logger.warning("forum notice refused", extra={"code": error.code})
            outcome["failed"] = 1
        except Exception as error:
            store.release_notice(account, sk)  # nothing went out yet: the retry sends it all
            raise RetryMail(str(type(error).__name__)) from error
    if browsers:
        url = f"{settings.public_base_url}/#/foro/tema/{tid}" if tid else f"{settings.public_base_url}/#/foro"
        pushed = _push(browsers, action, person.language, subject, url)
        outcome["pushed"] = pushed
    return outcome


def _push(browsers: list[dict[str, Any]], action: str, lang: str, subject: str, url: str) -> int:
    """The notice to the account's browsers (Web Push): the subject and the topic's address, nothing
    about the person. Once: a push service that fails now is not retried (the notice stays in the
    portal); one that says the browser is gone (404/410) takes that browser off the account."""
    from ventanilla.integrations import webpush

    keys = secret_store.vapid_keys()
    if keys is None:
        return 0
    settings = get_settings()
    data = {"v": 1, "kind": f"forum_{action}", "title": settings.institution_name, "body": subject[:180]}
    data |= {"url": url, "lang": lang}
    contact = settings.vapid_contact or f"mailto:{settings.email_sender}"
    pushed = 0
    for device in browsers:
        try:
            webpush.send(dict(device["subscription"]), data, keys["private_key"], contact)
            pushed += 1
        except messaging.Permanent as error:
            if error.code in ("subscription_gone", "subscription_invalid"):
                notice_store.delete_device(str(device["owner_pk"]), str(device["device_id"]))
        except messaging.Transient as error:
            logger.warning("forum push failed", extra={"code": error.code})
    return pushed
