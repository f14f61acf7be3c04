"""The community forum's shapes (issue 15): what clients send and what the API answers.

Every model is prefixed ``Forum`` (OpenAPI components are named by class)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field

from ventanilla.models.base import Model

CODE = r"^[a-z0-9][a-z0-9-]{0,62}$"
POST_ID = r"^(topic|r[0-9]{17}[0-9a-f]{6})$"
TOPIC_ID = r"^t[0-9]{17}[0-9a-f]{6}$"
CITIZEN_ID = r"^[!-.0-~]{1,120}$"
ReportReason = Literal["spam", "offensive", "personal_data", "off_topic", "duplicate", "other"]
PostStatus = Literal["published", "held", "hidden"]
AccountStatus = Literal["active", "suspended", "banned"]
ModAction = Literal[
    "hide",
    "restore",
    "approve",
    "lock",
    "unlock",
    "move",
    "merge",
    "warn",
    "suspend",
    "ban",
    "unban",
    "dismiss",
    "masked",
    "reply",
    "accepted",
]


class _In(Model):
    model_config = ConfigDict(extra="forbid")


class ForumCategoryIn(_In):
    code: str = Field(pattern=CODE)
    name_es: str = Field(min_length=2, max_length=80)
    name_en: str = Field(min_length=2, max_length=80)
    description_es: str = Field(default="", max_length=300)
    description_en: str = Field(default="", max_length=300)
    help_section: str | None = Field(default=None, pattern=CODE)
    position: int = Field(default=100, ge=0, le=9999)


class ForumCategoryOut(Model):
    code: str
    name: str
    description: str
    help_section: str | None = None
    position: int


class ForumCategories(Model):
    items: list[ForumCategoryOut]


class ForumTopicIn(_In):
    category: str = Field(pattern=CODE)
    title: str = Field(min_length=5, max_length=160)
    body: str = Field(min_length=1, max_length=20_000, description="Markdown")
    tags: list[str] = Field(default_factory=list, max_length=5)
    pinned: bool = Field(default=False, description="staff announcements only: pinned first in the category")


class ForumReplyIn(_In):
    body: str = Field(min_length=1, max_length=20_000, description="Markdown")
    quote_of: str | None = Field(default=None, pattern=POST_ID, description="the post quoted")


class ForumEditIn(_In):
    body: str = Field(min_length=1, max_length=20_000)
    title: str | None = Field(default=None, min_length=5, max_length=160, description="first post only")


class ForumLinksIn(_In):
    help_article: str | None = Field(default=None, pattern=CODE, description="slug of a help article")
    request_type: str | None = Field(
        default=None, pattern=r"^[a-z0-9-]{1,63}(/[a-z0-9-]{1,63})?$", description="type or type/subtype"
    )


class ForumReportIn(_In):
    reason: ReportReason
    note: str = Field(default="", max_length=500)


class ForumReasonIn(_In):
    reason: str = Field(min_length=3, max_length=500, description="shown to the author")


class ForumNoteIn(_In):
    """Approving a held post or dismissing reports takes no reason (the post stays as written)."""

    reason: str | None = Field(
        default=None, min_length=3, max_length=500, description="optional, for the log"
    )


class ForumMoveIn(ForumReasonIn):
    category: str = Field(pattern=CODE)


class ForumMergeIn(ForumReasonIn):
    into: str = Field(pattern=TOPIC_ID)


class ForumSuspendIn(ForumReasonIn):
    days: int = Field(ge=1, le=365)


class ForumRulesIn(_In):
    words: list[str] = Field(default_factory=list, max_length=500)
    allowed_domains: list[str] = Field(default_factory=list, max_length=200)
    link_policy: Literal["allow", "hold", "block"] = "hold"
    hold_first_posts: int = Field(
        default=1, ge=0, le=20, description="posts of a new account held for review"
    )
    posts_per_hour: int = Field(default=10, ge=1, le=1000)


class ForumRulesOut(ForumRulesIn):
    model_config = ConfigDict(extra="ignore")


class ForumAuthor(Model):
    id: str
    name: str
    kind: Literal["citizen", "staff"]
    staff_badge: bool = False


class ForumQuote(Model):
    post_id: str
    author: str
    excerpt: str


class ForumPostOut(Model):
    id: str
    topic_id: str
    author: ForumAuthor
    body_html: str
    body: str | None = Field(default=None, description="the Markdown, to its author only (to edit)")
    status: PostStatus
    created_at: datetime
    edited_at: datetime | None = None
    edits: int = 0
    score: int = 0
    accepted: bool = False
    quote: ForumQuote | None = None
    moderation_reason: str | None = None


class ForumTopicSummary(Model):
    id: str
    category: str
    title: str
    tags: list[str]
    author: ForumAuthor
    status: PostStatus
    pinned: bool
    locked: bool
    replies: int
    score: int
    answered: bool
    created_at: datetime
    last_activity_at: datetime
    merged_into: str | None = None


class ForumTopicList(Model):
    items: list[ForumTopicSummary]
    next_cursor: str | None = None


class ForumTopicOut(ForumTopicSummary):
    post: ForumPostOut
    replies_page: list[ForumPostOut]
    next_cursor: str | None = None
    accepted_reply_id: str | None = None
    help_article: str | None = None
    request_type: str | None = None
    following: bool = False


class ForumWritten(Model):
    """A topic or reply just written: where it is and what the author should know."""

    topic_id: str
    post_id: str
    status: PostStatus
    masked: list[Literal["rut", "email", "phone"]] = Field(default_factory=list)
    notice: str | None = None


class ForumRevision(Model):
    at: datetime
    by: str
    body: str
    title: str | None = None


class ForumHistory(Model):
    items: list[ForumRevision]


class ForumModEntry(Model):
    at: datetime
    action: ModAction
    reason: str | None = None
    moderator: str
    topic_id: str | None = None
    post_id: str | None = None
    account: str | None = None
    until: datetime | None = None


class ForumModLog(Model):
    items: list[ForumModEntry]
    next_cursor: str | None = None


class ForumQueueItem(Model):
    topic_id: str
    post_id: str
    status: PostStatus
    reports: int
    reasons: dict[str, int]
    author: ForumAuthor
    excerpt: str
    title: str
    held_because: str | None = None
    at: datetime


class ForumQueue(Model):
    items: list[ForumQueueItem]
    next_cursor: str | None = None


class ForumAccountOut(Model):
    account: str
    status: AccountStatus
    suspended_until: datetime | None = None
    warnings: int = 0
    published: int = 0
    terms_accepted: bool = False


class ForumStats(Model):
    days: int
    topics: int
    replies: int
    replies_by_staff: int
    answered: int
    answered_by_staff: int
    answered_by_community: int
    mean_first_reply_minutes: float | None = None
    mean_accepted_minutes: float | None = None
    reports: int
    moderation_actions: int
    answered_by_community_pct: float | None = None
    """Of the topics that got an accepted answer, the % whose answer came from a citizen."""
    answered_by_staff_pct: float | None = None
    start: str | None = None
    end: str | None = None


class ForumAcceptIn(_In):
    post_id: str | None = Field(pattern=r"^r[0-9]{17}[0-9a-f]{6}$", description="the reply; null unmarks")


class ForumPreviewIn(_In):
    body: str = Field(min_length=1, max_length=20_000)


class ForumPreviewOut(Model):
    html: str
    masked: list[Literal["rut", "email", "phone"]]


class ForumMe(Model):
    account: ForumAccountOut
    notices: list[ForumModEntry]


class ForumDone(Model):
    done: bool = True


class ForumUnsubscribeOut(Model):
    """What a topic's signed unsubscribe link stops; ``following`` is false once it is honoured."""

    topic_id: str
    title: str
    following: bool


class ForumSearchItem(Model):
    id: str
    title: str
    summary: str
    snippet: str
    answered: bool | None = None
    reply_id: str | None = None
    """Set when the words were found in a reply (its id, to jump to it)."""


class ForumSearchGroup(Model):
    kind: Literal["help", "community"]
    title: str
    items: list[ForumSearchItem]


class ForumSearchOut(Model):
    query: str
    groups: list[ForumSearchGroup]
