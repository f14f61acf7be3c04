"""Single-table design: one DynamoDB table, every access pattern a GetItem or a bounded Query.

Keys (generic attribute names, so entities can share the indexes):

    entity         PK                  SK              indexes
    ticket         TICKET#<number>     TICKET          GSI1 QUEUE#<team>#<status> / <rank>#<due>#<number>
                                                       GSI2 CITIZEN#<id> / <created>#<number>
                                                       GSI3 ASSIGNEE#<sub> / <status>#<due>#<number>
                                                       GSI4 (GSI1PK) QUEUE#<team>#<status> / <due>#<number>
                                                       GSI6 FILED#<yyyy-mm> / (GSI2SK) <created>#<number>
                                                       GSI7 (GSI1PK) / (GSI2SK): the queue by filing
    history event  TICKET#<number>     EV#<at>#<pos>#<id>
    counter        COUNTER#TICKET      YEAR#<yyyy>
    request type   CATALOG             TYPE#<code>
    team           TEAMS               TEAM#<code>
    staff profile  STAFF#<sub>         PROFILE         (name, email, teams, tier, language of notices)
    citizen        CITIZEN#<id>        PROFILE
    contact index  CONTACT#<sha256>    CONTACT         (what an anonymous filing typed: never an account's)
    account        CITIZEN#<id>        ACCOUNT         verified contacts, segment (storage/accounts.py)
    verified index VCONTACT#<sha256>   VCONTACT        the account that verified an email or phone (one owner)
    consent        CITIZEN#<id>        CONSENT#<at>#<r>  append-only consent ledger
    types filed    CITIZEN#<id>        FILED#<type>    latest filing of that type (campaign segments; stream,
                                                       only while the account item exists)
    account's sub  CITIZEN#<id>        SUBREF#<sub id> a subscription made signed in (erasure deletes it)
    sub counts     SUBCOUNT#<0-15>     SECTOR#<code> | TOPIC#<code>  confirmed subscribers (ADD;
                                                       storage/subscription_counts.py)
    upgrade step   UPGRADES            <name>          an offline upgrade step ran on this table
    staff read     CITIZEN#<id>        AUDIT#<at>#<r>  who on staff read the citizen's data (TTL 2 years)
    erasure        CITIZEN#<id>        ERASED          what an erasure did (no personal data)
    phone check    CITIZEN#<id>        PHONECHECK      a phone waiting for its SMS code (hashed; TTL 15 min)
    retention      RETENTION#<day>     <number>        a closed request's anonymisation is due that day
    idempotency    IDEMPOTENCY#<fn>    <hash>          (Powertools; expires through TTL)
    delivery       NOTICE#<event id>   <recipient>#<channel>   one notice: claim, outcome (TTL 90 days)
    device         TICKET#<n> | STAFF#<sub>   DEVICE#<sha256>  push endpoint of a token
    receipt        TICKET#<n>          RECEIPT         access code sealed for the receipt (TTL 14 days)
    attachment     TICKET#<n>          ATT#<id>        a file's name, declared/real type, size, check outcome
                                                       (a merge copies it to the survivor: stored_in = old n)
    request link   TICKET#<n>          LINK#<other n>  kind as seen from n (both sides, one transaction)
    alert source   ALERTSOURCES        SOURCE#<code>   monitoring source, its HMAC secret (storage/alerts.py)
    webhook        WEBHOOKS            HOOK#<id>       outbound endpoint: URL, events, sealed secret, version
    hook delivery  HOOKLOG#<id>        <at>#<event id>#<attempt>  one delivery attempt's outcome (TTL 30 days)
    open alert     ALERT#<src>#<sha256 fp>  OPEN       the open request of an alert fingerprint, repeats
    alert delivery ALERTDELIVERY#<src>#<sha256 id>  SEEN   a delivery processed (TTL 7 days)
    inbound SMS    SMSIN#<sha256 id>   SEEN            an inbound SMS handled (TTL 7 days)
    inbound email  EMAILMSG#<sha256>   MSG             a Message-ID seen or sent: its request (TTL 2 years)
    email thread   TICKET#<n>          EMAILTHREAD     first and last Message-ID of the request's mail thread
    follow link    LINK#<sha256>       LINK            one-time token of a notice link: number, expiry (TTL)
    notice prefs   CITIZEN#<id> | STAFF#<sub>  NOTICES     channels opted out by signed link
    pending notice TICKET#<n>          PENDING_NOTICE  a citizen notice window: first event, start (TTL)
    presence       PRESENCE#<n>        STAFF#<sub>     who has the request open: viewing, replying (TTL)
    suppression    SUPPRESSION         <sha256 of address>     bounced or complained address (masked)
    template       TEMPLATES           <kind>#<channel>#<lang>  admin-edited notice template
    help article   ARTICLE#<lang>#<slug>  ARTICLE      GSI1 HELPADMIN#<lang> / <updated_at>#<slug>
                                                            (every status)
                                                       GSI2 HELPSECTION#<lang>#<leaf> / <position>#<slug>
                                                            (published only: a sparse index)
    revision       ARTICLE#<lang>#<slug>  REV#<nnnnnn> (who, when, action, fields changed, snapshot)
    article stats  ARTICLE#<lang>#<slug>  STATS        (views, helpful_yes, helpful_no: ADD counters)
                                                       GSI5 HELPPOPULAR#<lang> / views (a number)
                                                            (sparse: set by a view of a published article)
    feedback       ARTICLE#<lang>#<slug>  FEEDBACK#<at>#<id>  (vote + redacted comment; TTL 1 year)
    vote marker    ARTICLE#<lang>#<slug>  VOTE#<vote id>  (a vote counted once per client id; TTL 1 day)
    help search    HELPSEARCH#<id>     SEARCH          GSI1 HELPSEARCHES#<yyyy-mm-dd> / <at>#<id> (TTL 180 d)
    content gap    HELPGAP#<lang>      Q#<folded query>   (count: no result, unsure: not confident, last_at;
                                                        TTL 180 d after the last)
                                                       GSI5 HELPGAPS#<lang> / views (times asked)
    search term    HELPTERMS           T#<term id>     an editor's synonym: term, means, countries, note
    query day      HELPQ#<yyyy-mm-dd>  Q#<query>       searches of one query that day (TTL 400 d)
    deflection     DEFLECT#<type>/<subtype>  ATTEMPT#<at>#<id>  (shown, opened, outcome; TTL 1 year)
    deflections    DEFLECT#<type>/<subtype>  TOTAL       (attempts, deflected: ADD counters)
    stats day      STATS#<slice>       D#<yyyy-mm-dd>  totals of flows on that local day
    stats day part STATS#<slice>       D#<yyyy-mm-dd>#<c|r|f|o>  its breakdowns and histograms
                                       by kind of change (filed, resolved, first answered, other)
    help day       STATS#help          D#<yyyy-mm-dd>#<0-7>  the help centre's counters (8 shards)
    help top       STATS#help          D#<yyyy-mm-dd>#top    the day's 50 most searched queries
    stats month    STATS#<slice>       M#<yyyy-mm>     the same counters per month (goals, open data)
    stats now      STATS#<slice>       NOW             stocks: open tickets by status and filing day
    stats facts    STATSTICKET#<n>     FACTS           what the aggregator counted of ticket n (+ version)
    stats marker   STATSEV#<n>         <event SK>      a history event counted (expires through TTL)
    stats journal  STATSJOURNAL        <ns>#<id>       a stream batch's merged deltas, deleted once applied
    stats lease    STATSLOCK           APPLIER         the journal applier's lease (owner, until)
    goal           GOALS               GOAL#<id>       carta de compromisos, supervisors edit it
    audit record   AUDIT#<yyyy-mm>     <iso at>#<id>   who, what, target, before/after diff, ip hash:
                                                       put once (attribute_not_exists), never updated
    asset type     ASSETTYPES          TYPE#<code>     admin list (kind, own form fields)
    location       ASSETLOCS           LOC#<code>      admin list (building, office)
    asset          ASSET#<inv>         ASSET           GSI1 ASSETTYPE#<type> / <inv>
                                                       GSI4 (GSI1PK) ASSETTYPE#<type> / <warranty_end>#<inv>
                                                       GSI2 ASSETLOC#<location> / <inv> (when located)
                                                       GSI3 ASSETTEAM#<team> / <inv>
    asset history  ASSET#<inv>         EV#<at>#<id>    append-only: who, when, action, before / after
    asset link     ASSET#<inv>         REQ#<number>    GSI1 REQASSETS#<number> / <inv>
    licence seat   ASSET#<inv>         SEAT#<holder>
    responsible    ASSETRESP#<person>  ASSET#<inv>     user:<username> or person:<email or name>
    asset alias    ASSETALIAS#<host|serial>#<value>  ALIAS   -> inventory number (unique)
    asset counts   ASSETCOUNTS         ALL             ADD counters type#, status#, loc#, team#
    incidents      ASSETINC#<yyyy-mm>  <inv>           ADD count of the links made that month
    forum category FORUM               CAT#<code>      admin list; FORUM / RULES: word list, link rules, holds
    forum topic    FTOPIC#<tid>        TOPIC           GSI1 FCAT#<category> / <pin 0|1>#<last activity>#<tid>
                                                            (sparse: published and not merged)
                                                       GSI3 FMODQ#reported / <reports>#<at>#<tid>#<post>
                                                            or FMODQ#held / <at>#<tid>#<post> (sparse)
    forum reply    FTOPIC#<tid>        R#<rid>         rid sorts by time; GSI3 as the topic's
    forum revision FTOPIC#<tid>        V#<post>#<at>   the text before an edit
    forum tag      FTAG#<tag>          <created>#<tid> pointer of a listed topic (deleted when unlisted)
    forum vote     FVOTE#<tid>#<post>  <account>       one per person (conditional Put + ADD score)
    forum report   FREPORT#<tid>#<post> <account>      one per person and post
    forum account  FUSER#<account>     STATE | MOD#<at>#<r> | FOLLOW#<tid>   status; notices; follows
                   (a notice gets ``mailed_at`` when the notifier claims it: mailed once)
    forum follower FFOLLOW#<tid>       <account>
    forum modlog   FMODLOG#<yyyy-mm>   <at>#<r>        every moderation action with its reason
    forum day      STATS#forum         D#<yyyy-mm-dd>#<0-7>  ADD counters (8 shards; institution's local day)

Access patterns:
- ticket by number: GetItem ``TICKET#n / TICKET`` (the number is the ticket's id: immutable, unique);
  with its history: one Query on ``PK = TICKET#n`` (history capped per page).
- team queue by status, soonest due first: Query GSI4 ``QUEUE#team#status`` ascending, with Limit
  (``GSI4SK < now``: only the overdue ones); by priority band then due: the same on GSI1
  (``begins_with <rank>#``: one band). Several teams or statuses: one such Query per (team, status),
  merged exactly up to the lowest last-evaluated key (ventanilla.rules.queue_order); the cursor holds
  every partition's position. GSI4 shares GSI1's partition key attribute, so it costs no new one.
  Newest / oldest first: the same on GSI7 (GSI1PK with GSI2SK ``<created>#<number>``: no attribute of
  its own; descending for newest; other entities with both attributes land there too, unread).
  A queue's first page carries its total: ``Select=COUNT`` Queries of each partition (GSI4, the same
  filters), paged, reading at most 2000 items in all (past that: "more than"); the new-requests
  count is the same on GSI7 with ``GSI2SK > <since>~`` (at most 500 read). A search (``q``) is one
  GetItem for a full number, else a read of each partition in the page's order up to its share of
  600 items, matched in code (ventanilla.rules.queue_search): no Scan, bounded reads.
- the requests export (ventanilla.services.export): the queue's partitions ``QUEUE#team#status`` on
  GSI4 one after another, each Query with a Limit of what is left of the page's budget, at most 16
  Queries a call; period and type are kept in code from the items read; the cursor holds the
  partition's index and its last sort key.
- a citizen's tickets, newest first: Query GSI2 ``CITIZEN#id``, descending (``/me/tickets`` pages it
  with a cursor checked to be the caller's partition).
- retention: the daily job Queries ``RETENTION#<day>`` for the last 7 days (markers written in the
  same transaction that saves a closed ticket).
- requests filed in a period (Open311 ``GET requests``): Query GSI6 ``FILED#<yyyy-mm>`` between two
  ``<created>`` bounds, newest first, one Query per month of the period (at most 4 for the spec's
  90 days), Limit what is left of the answer's 1,000 (filters on status and service are kept in code
  from the items read, with a bound on items read). GSI6 shares GSI2's sort key attribute.
- API keys (Open311 clients): GetItem ``APIKEY#<sha256 of the key> / APIKEY`` on every POST (a
  revoked key's item is deleted); the admin list: Query ``APIKEYS`` (``KEY#<id>``), bounded.
- webhooks (ventanilla.services.webhooks): the fan-out of each domain event Queries ``WEBHOOKS``
  (at most 50 endpoints, Limit 50) and keeps the active ones subscribed to the event; each delivery
  GetItems its endpoint and Puts one ``HOOKLOG#<id>`` item per attempt (expiring); the console's log
  Queries that partition newest first, Limit a page, the cursor checked to be the endpoint's.
- an agent's tickets by status then due date: Query GSI3 ``ASSIGNEE#sub``.
- the catalog: Query ``CATALOG`` (its size is the catalog's, not the tickets').
- next request number: GetItem counter, then one transaction that moves the counter from n to n+1
  (conditional) and puts the ticket ``TICKET#yyyy-(n+1)`` (attribute_not_exists): two concurrent
  creates cannot both win the same number.
- a ticket change: one transaction: Put of the ticket conditioned on its ``version`` (optimistic
  locking) plus a conditional Put of each new history event (append-only).
- the satisfaction survey: a ticket change like any other (the ``csat_*`` attributes on the ticket
  item, read by statistics with the ticket, plus a ``survey`` history event); no new keys.
- the audit trail (ventanilla.services.audit): one Put per change; admins Query the months of a
  period newest first (``SK between``), kind and actor as filters, Limit per page, the cursor the
  LastEvaluatedKey (its PK names the month).
- staff accounts (ventanilla.services.staff_admin): Cognito lists the users (25 a page) and each
  group's members; their profiles in one BatchGetItem; each working member's availability (GetItem)
  and open load (three COUNT Queries on GSI3, capped at 100); an admin's change of roles, teams and
  tier is one UpdateItem conditioned on the profile's ``version``.
- the forum (ventanilla.storage.forum): a category page is one Query on GSI1 ``FCAT#<category>``
  descending (pinned first, then latest activity), Limit = page; a tag page one Query of
  ``FTAG#<tag>`` plus one BatchGetItem of that page's topics; a topic page one GetItem of the topic
  plus one Query ``begins_with R#`` (Limit = page): the same reads at 100 or 10,000 topics. The
  moderation queue is one Query on GSI3 (``FMODQ#reported`` most reports first, ``FMODQ#held``
  oldest first). Hiding, merging or holding a topic rewrites it without GSI1 keys and deletes its
  tag pointers in the same transaction, so it leaves every listing at once.
- who else has a request open (ventanilla.storage.presence): each agent's page Puts its own
  ``PRESENCE#n / STAFF#sub`` item (short TTL) and reads the partition with one Query (Limit 25).
- an agent's availability: GetItem ``TEAMAGENTS#<team> / AGENT#<sub>`` (see storage/sla.py).
- a staff member's profile: GetItem ``STAFF#sub / PROFILE`` (every staff request reads it); they
  set the language of their notices with one UpdateItem on it (``language`` only; a missing
  profile is created from the token's name, teams and tier with ``if_not_exists``).
- notices (:mod:`ventanilla.storage.notices`): the notifier reads the ticket's partition once
  (ticket, history, devices, receipt: one Query), the recipient's NOTICES item and, for email, the
  suppression item (GetItems); it claims each delivery with a conditional UpdateItem and closes it
  together with its history event in one transaction, so a redelivered event sends nothing twice.
  Suppressions and templates are listed with one Query of their partition, with a Limit.
- a notice's one-time link: PutItem ``LINK#<sha256 of the token> / LINK`` when the notice is made;
  opening it is one DeleteItem conditioned on the request number and ``expires_at`` (used once).
- help article by slug and language: GetItem ``ARTICLE#lang#slug / ARTICLE``; its revisions: Query
  ``PK`` with ``SK begins_with REV#``, newest first, Limit; several (reorder, import, the articles
  a citizen saw): BatchGetItem (at most 100 keys).
- editors' article list: Query GSI1 ``HELPADMIN#lang`` descending, one page (status as a filter);
  the export job pages through it.
- a section's published articles in the editors' order: Query GSI2 ``HELPSECTION#lang#section``.
- an article change: one transaction: the article conditioned on its ``revision`` (or on not
  existing) plus its new ``REV#`` item. Imports write 50 articles per transaction and put back what
  they wrote if a later transaction fails. Views and votes are ADDs on ``STATS`` (never on the
  article item, so counting does not re-index it through the stream).
- most consulted articles of a language: Query GSI5 ``HELPPOPULAR#lang`` descending (its sort key
  is the ``views`` counter itself, so the view's ADD moves the article in the ranking: no second
  write, no leaderboard item to contend on) with a Limit of a few times the answer's size, then
  one BatchGetItem of those articles: only published ones are answered, and any other one found
  there is taken out of GSI5 (REMOVE ``GSI5PK``) so the ranking stays in step. With too few views
  yet, the first article (editors' order, GSI2 Limit 2) of each largest top section fills the list.
  GSI5 projects keys only; all views of a language write its one GSI5 partition, well within a
  partition's 1,000 writes/s for a public help centre (a busier one would add a shard suffix).
- related articles of one: the editors' ``related`` slugs (at most 5, same language, checked when
  saved) in one BatchGetItem, published ones only, then its section's neighbours (GSI2, Limit).
- search log: Put ``HELPSEARCH#id`` (the click is an UpdateItem on it); a zero-result or not
  confident search also ADDs to ``HELPGAP#lang / Q#query`` (and to its ``views``, GSI5's sort key
  under ``HELPGAPS#lang``); editors Query GSI1 ``HELPSEARCHES#day``, and GSI5 ``HELPGAPS#lang``
  descending for the most asked gaps (then one BatchGetItem per 100). The statistics function
  ranks the queries off the request path from the stream of ``SEARCH`` items: per batch one ADD
  per (day, query) on ``HELPQ#day / Q#query`` and one conditional write of the day's
  ``STATS#help / D#day#top`` (see ventanilla.stats.help_figures).
- search terms: editors Put/Delete ``HELPTERMS / T#id``; each engine Queries the partition (at most
  500 items) when it starts and once a minute after.
- deflection: Put the attempt and ADD to the subtype's ``TOTAL``; editors' statistics read the
  totals of the catalog's subtypes with one BatchGetItem.
- search itself never touches the table: the indexer function follows the stream (article items
  only) into the search engine.
- statistics (ventanilla.stats): a *slice* is a filter: ``all``, ``type=<t>``, ``team=<t>``,
  ``channel=<c>`` and their combinations in that order (``type=a&team=b&channel=web``); each ticket
  version adds to the 8 slices of its dimensions: their ``D#<day>`` items, and ``M#<month>`` items
  only in ``all`` and ``type=<t>`` (what goals and open data read). Counter attributes (ADD only):
  ``created``, ``resolved``, ``reopened``, ``closed``, ``net_open`` (backlog change that day),
  ``fr_n``/``fr_met``, ``res_n``/``res_met``, ``legal_n``/``legal_met`` (requests counted against
  each target, and met), ``fr_miss``/``res_miss``/``legal_miss`` (of those, the ones counted when
  the target fell due undone, on the due day), ``frh#<edge>``/``resh#<edge>`` (first response /
  resolution business hours histograms, fixed edges in ventanilla.stats.keys), ``frl#<edge>``/
  ``resl#<edge>`` (the late answers of requests already counted as missed, so goals skip them),
  ``tis_n#<status>``/``tis_bs#<status>``/``tis_s#<status>`` (exits from a status, business seconds
  of the institution's calendar and wall-clock seconds spent in it), ``breaches``,
  ``breach#<target>``, ``escalations``, ``csat_n``/``csat_sum``/``csat#<1-5>`` (every survey answer,
  one per resolution), and in every slice's day items per value of each dimension the slice does
  not fix (type, subtype as ``<type>.<sub>``, channel, team, priority) ``<measure>@<dim>=<value>``;
  ``all`` also holds ``messages@actor=<kind>`` and ``notes``. ``NOW`` holds ``open``,
  ``open#<status>``, ``age#<filing day>`` and ``open@<dim>=<value>``. Flows stay under the
  dimensions the ticket had when they happened; stocks (``NOW``, ``net_open``) follow a
  reclassified ticket. The help center writes its own slice ``STATS#help`` / ``D#<day>#<shard>`` (see
  ventanilla.stats.help_figures: ``attempts@subtype=`` and ``deflected@subtype=`` among others).
- a dashboard load: one Query ``STATS#<slice>`` between ``D#<from>`` and ``D#<today>#~`` (at most
  five items per day, a day's parts added up), one GetItem ``NOW``, one Query ``GOALS``, one Query
  ``STATS#type=<t>`` over ``M#`` per goal type, one Query ``STATS#help``: bounded by the calendar
  and the catalog, not by tickets.
- aggregating one ticket version: GetItem FACTS, then one transaction: Put FACTS conditioned on the
  version read (or absent) plus one ADD Update per touched aggregate item: 19 for a usual version
  (8 day, 2 month, 8 NOW items), 8 more per kind of breakdown it adds to (a resolution: 27), at
  most 57 when it also reclassifies the ticket (the old slices' NOW and day items); a target that
  falls due undone also adds to its due day's items when that day is earlier than the version's
  (up to 18 more items per target).
- open data: one Query ``STATS#type=<t>`` over the last 12 ``M#`` items per catalog type.
- assets (:mod:`ventanilla.storage.assets`): the inventory number is the id; a create is one
  transaction with ``attribute_not_exists`` on the asset (unique number) and on its host name and
  serial aliases, the history event, the responsible index item and the counters' ADDs; an edit the
  same conditioned on ``version``. Listing by type (GSI1), location (GSI2) or team (GSI3) is one
  Query with a Limit, ``begins_with`` for an inventory number prefix; by responsible person one
  Query of ``ASSETRESP#<person>`` then one BatchGetItem. The asset page: GetItem, Query ``EV#``
  (Limit 30), Query ``REQ#`` (Limit 25), one BatchGetItem of those tickets, the two admin lists,
  and for a licence Query ``SEAT#``: the same items at 100 and 10,000 assets
  (tests/bench/bench_assets.py). A link is one transaction (link item, ADD ``incidents`` and
  ``version`` on the asset, ADD on ``ASSETINC#<month>``, history). Reports read ``ASSETCOUNTS``,
  one ``ASSETINC#`` Query per month (at most 12), GSI4 per type between today and the horizon,
  and the licence types' GSI1 partitions. A request's assets: Query GSI1 ``REQASSETS#<number>``.

Counters the request path writes (no item grows with the number of requests, queries or visitors;
sizes are worst cases, rates what one item takes; a partition serves 1,000 writes/s):
- ``HELPSEARCH#id / SEARCH``: one new item per search, ~0.3 KB (query clipped to 200 characters,
  at most 20 clicks of 80-character slugs: < 2 KB); written once plus once per click; TTL 180 d.
  Its GSI1 partition ``HELPSEARCHES#day`` takes every search of the day (~10/s at a national
  agency's peak, 25 searches per request).
- ``HELPGAP#lang / Q#query``: one item per distinct zero-result query, < 0.5 KB; one ADD per
  zero-result search of that query; TTL 180 d after its last search.
- ``STATS#help / D#day#<shard>``: 8 items a day, each the day's fixed counters plus two per
  catalog subtype (``attempts@``/``deflected@subtype=``): < 1 KB for 10 subtypes, ~20 KB for 320;
  each search, view, vote and deflection ADDs to one shard drawn at random (an eighth of the rate).
- ``ARTICLE#lang#slug / STATS``: views and votes of one article, < 0.3 KB; one ADD per view or vote
  of that article (its GSI5 partition ``HELPPOPULAR#lang`` takes every view of the language).
- ``DEFLECT#type/subtype / TOTAL``: < 0.2 KB; one ADD per deflection attempt of that subtype (plus
  the attempt's own item, < 2 KB, TTL 1 year).
- ticket, history event, counter ``COUNTER#TICKET / YEAR#yyyy``: the counter is < 0.1 KB and takes
  one conditional write per filed request (~1/s at a national agency's peak; the transaction makes
  concurrent filings retry, never reuse a number).
- ``STATS#<slice> / NOW``, ``D#``, ``M#`` are written by the statistics function from the stream,
  never on the request path; ``NOW`` holds a counter per open status, per filing day of the open
  tickets (bounded by the age of the oldest open ticket: < 40 KB after 5 years) and per dimension
  value (bounded by the catalog); the ``HELPQ`` and ``#top`` items likewise (the top item < 4 KB).
- ``SUBCOUNT#<shard> / SECTOR#<code>`` and ``TOPIC#<code>``: 16 items per sector and per topic
  (plus ``SECTOR#*``, every sector), each < 0.1 KB (at most 16 x (10,000 sectors + 200 topics)
  items, ~16 MB, bounded by the configuration, never by subscribers). A subscription's counters sit
  in the shard of its id and move in the transaction that confirms, changes, unsubscribes or erases
  it: at most 5 sectors + 10 topics ADDs (30 when a change swaps them all), in one shard. One
  sector getting N confirmations a second gives each of its 16 items N/16 writes a second (2 write
  units each: transactional), so one item reaches a partition's 1,000 units at 8,000 confirmations
  a second (subscribing is rate-limited per client and address far below that). The staff lists
  read them with 16 Queries (one per shard).
TTL attribute: ``ttl`` (idempotency records, deliveries, receipts, help logs, statistics markers).
Streams carry new and old images to the consumers.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from pydantic import BaseModel

from ventanilla.errors import BadRequest
from ventanilla.settings import get_settings

KEY_ATTRS = (
    "PK",
    "SK",
    "GSI1PK",
    "GSI1SK",
    "GSI2PK",
    "GSI2SK",
    "GSI3PK",
    "GSI3SK",
    "GSI4SK",
    "GSI5PK",
    "GSI6PK",
    "entity",
    "ttl",
)


_local = threading.local()
_lock = threading.Lock()
_session: Any = None


def table() -> Any:
    """The boto3 Table; its client takes native Python values in transactions too.

    boto3 resources are not thread-safe, so each thread (a threaded local server, a test's thread
    pool) gets its own, made under a lock from one shared session whose loaded service models
    make that cheap; a Lambda process has one thread and so one Table.
    """
    global _session
    cached = getattr(_local, "table", None)
    if cached is None:
        settings = get_settings()
        with _lock:
            if _session is None:
                _session = boto3.session.Session(region_name=settings.region)
            cached = _local.table = _session.resource("dynamodb").Table(settings.table_name)
    return cached


def client() -> Any:
    return table().meta.client


def batch_get(keys: list[dict[str, Any]], attempts: int = 5) -> list[dict[str, Any]]:
    """The items of up to 100 keys (one BatchGetItem, retried for what DynamoDB leaves
    unprocessed); raises if some are still unread, so an absent key means no item."""
    if len(keys) > 100:
        raise ValueError("BatchGetItem reads at most 100 keys")
    found, unread = batch_read(keys, attempts=attempts)
    if unread:
        raise RuntimeError(f"{len(unread)} item(s) left unread (throttled)")
    return found


def batch_read(
    keys: list[dict[str, Any]],
    *,
    consistent: bool = False,
    projection: str | None = None,
    names: dict[str, str] | None = None,
    attempts: int | None = 5,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The items of ``keys`` (distinct; 100 per BatchGetItem), and the keys still unread after
    ``attempts`` tries of what DynamoDB left unprocessed (throttling; None: until none is left)."""
    name = table().name
    found: list[dict[str, Any]] = []
    unread: list[dict[str, Any]] = []
    for start in range(0, len(keys), 100):
        ask: dict[str, Any] = {"Keys": keys[start : start + 100]}
        if consistent:
            ask["ConsistentRead"] = True
        if projection:
            ask["ProjectionExpression"] = projection
        if names:
            ask["ExpressionAttributeNames"] = names
        request: dict[str, Any] = {name: ask}
        tries = 0
        while request and (attempts is None or tries < attempts):
            tries += 1
            response = client().batch_get_item(RequestItems=request)
            found += response.get("Responses", {}).get(name, [])
            request = response.get("UnprocessedKeys") or {}
        if request:
            unread += request[name]["Keys"]
    return found, unread


def newest_listed(
    list_pk: str, id_attribute: str, key_of: Callable[[str], dict[str, Any]], limit: int
) -> list[dict[str, Any]]:
    """The items a list partition names, newest first: one Query of ``list_pk`` (each entry holds
    an item's id in ``id_attribute``), then those items, found by ``key_of(id)``, in batch."""
    page = table().query(KeyConditionExpression=Key("PK").eq(list_pk), ScanIndexForward=False, Limit=limit)
    ids = [str(i[id_attribute]) for i in page.get("Items", [])]
    items, _ = batch_read([key_of(i) for i in ids])
    by_id = {str(i["id"]): from_item(i) for i in items}
    return [by_id[i] for i in ids if i in by_id]


def put_model(model: BaseModel, *, create: bool, **keys: Any) -> bool:
    """Write ``model`` as an item; with ``create`` only when its key is free, otherwise only when it
    exists (False when that does not hold)."""
    condition = "attribute_not_exists(PK)" if create else "attribute_exists(PK)"
    return written(table().put_item, Item=to_item(model, **keys), ConditionExpression=condition)


def to_item(model: BaseModel, **keys: Any) -> dict[str, Any]:
    """A model as a DynamoDB item: JSON types, floats as Decimal, None values left out."""
    data = json.loads(model.model_dump_json(exclude_none=True), parse_float=_number)
    data.update({k: v for k, v in keys.items() if v is not None})
    return dict(data)


def _number(text: str) -> Decimal:
    """A JSON float as a DynamoDB number: magnitudes below 1e-100 (DynamoDB's floor is 1e-130) are 0."""
    value = Decimal(text)
    return value if value == 0 or abs(value) >= _TINY else Decimal(0)


_TINY = Decimal("1e-100")


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    """An item without its key attributes, Decimals back to int/float, ready for model_validate."""
    return {k: _plain(v) for k, v in item.items() if k not in KEY_ATTRS}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def cancellation_codes(error: Exception) -> list[str]:
    """The per-item reasons of a TransactionCanceledException, '' where an item was fine."""
    response = getattr(error, "response", {}) or {}
    reasons = response.get("CancellationReasons") or []
    return [r.get("Code", "") or "" for r in reasons]


def is_error(error: Exception, code: str) -> bool:
    response = getattr(error, "response", {}) or {}
    return bool(response.get("Error", {}).get("Code") == code)


REFUSALS = ("ConditionalCheckFailedException", "TransactionCanceledException")
CHECK_FAILED = "ConditionalCheckFailed"


def conditional_put(
    item: dict[str, Any], condition: str, values: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A transaction's Put of ``item`` on ``condition`` (with its ``values``, if any)."""
    put: dict[str, Any] = {"TableName": table().name, "Item": item, "ConditionExpression": condition}
    if values:
        put["ExpressionAttributeValues"] = values
    return {"Put": put}


@dataclass(frozen=True)
class Canceled:
    """A transaction DynamoDB canceled: each item's reason ('' where that item was fine)."""

    codes: list[str]
    error: ClientError

    def failed(self, index: int) -> bool:
        """Whether item ``index``'s condition did not hold."""
        return len(self.codes) > index and self.codes[index] == CHECK_FAILED


def transact(items: list[dict[str, Any]]) -> Canceled | None:
    """Write ``items`` in one transaction: None when written, the refusal when DynamoDB canceled
    it (a condition, a conflicting transaction); any other error is raised."""
    try:
        client().transact_write_items(TransactItems=items)
    except ClientError as error:
        if not is_error(error, "TransactionCanceledException"):
            raise
        return Canceled(cancellation_codes(error), error)
    return None


def written(write: Callable[..., Any], **params: Any) -> bool:
    """``write(**params)``, a conditional write (put, update or delete item, or a transaction):
    False when DynamoDB refused it because a condition did not hold."""
    return answer_of(write, **params) is not None


def answer_of(write: Callable[..., Any], **params: Any) -> dict[str, Any] | None:
    """``write(**params)``'s answer (its ``Attributes`` when asked with ReturnValues), or None when
    DynamoDB refused it because a condition did not hold."""
    try:
        return dict(write(**params) or {})
    except ClientError as error:
        if any(is_error(error, code) for code in REFUSALS):
            return None
        raise


def set_existing(key: dict[str, str], name: str, value: Any) -> bool:
    """Set one attribute of an item that exists (one conditional UpdateItem, no read); False when
    there is no such item."""
    return written(
        table().update_item,
        Key=key,
        UpdateExpression="SET #a = :v",
        ConditionExpression="attribute_exists(PK)",
        ExpressionAttributeNames={"#a": name},
        ExpressionAttributeValues={":v": value},
    )


# ---- pagination cursors: the LastEvaluatedKey handed to clients, opaque and checked on the way in ----


def cursor_out(key: dict[str, Any] | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, default=str).encode()).decode()


def cursor_in(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError as error:
        raise BadRequest("invalid_cursor") from error
    if not isinstance(key, dict) or not all(isinstance(v, str) for v in key.values()):
        raise BadRequest("invalid_cursor")
    return key
