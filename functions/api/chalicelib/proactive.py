"""Proactive service (issue 16): sectors, subscription topics, subscriptions, service alerts."""

from __future__ import annotations

import re

from chalice import Blueprint, Response

from chalicelib.http import (
    FILER_BEARER,
    Area,
    citizen_of,
    client_address,
    is_citizen_token,
    json_response,
    lang_of,
    parse_body,
    q,
    query_params,
)
from ventanilla.auth import Principal
from ventanilla.errors import BadRequest
from ventanilla.models.common import is_code
from ventanilla.models.proactive import (
    AreaMatch,
    AreaSectorList,
    AreaUpload,
    AreaUploadResult,
    Campaign,
    CampaignIn,
    CampaignList,
    CampaignPreview,
    ServiceAlert,
    ServiceAlertBannerList,
    ServiceAlertIn,
    ServiceAlertList,
    ServiceAlertUpdateIn,
    SubscriptionConfirmEmailIn,
    SubscriptionConfirmSmsIn,
    SubscriptionCreated,
    SubscriptionDeviceIn,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionTopic,
    SubscriptionTopicIn,
    SubscriptionTopicList,
    SubscriptionUpdateIn,
)
from ventanilla.services import (
    areas,
    campaigns,
    proactive_figures,
    service_alerts,
    subscription_push,
    subscriptions,
)

bp = Blueprint(__name__)

TOKEN = q("the management link's signature", required=True, pattern=r"^[0-9a-f]{32}$")
TOPIC = q("one topic only (without it: every topic)", pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
SOURCE = q(
    "the alert or campaign whose email carried the link (its unsubscribes figure counts it)",
    pattern=proactive_figures.SOURCE_PATTERN,
)


def _area(code: str) -> dict[str, object] | None:
    return areas.snapshot(code) if is_code(code) else None


def _topic(code: str) -> SubscriptionTopic | None:
    return subscriptions.stored_topic(code)


def _alert(alert_id: str) -> ServiceAlert | None:
    return service_alerts.stored(alert_id)


# ---- sectors ---------------------------------------------------------------------------------------


public = Area(bp, "public")
campaign_managers = Area(bp, "admin", roles=campaigns.MANAGERS)
publishers = Area(bp, "admin", roles=service_alerts.PUBLISHERS)
subscription_managers = Area(bp, "admin", roles=subscriptions.MANAGERS)
area_managers = Area(bp, "admin", roles=areas.MANAGERS)
leads = Area(bp, "admin", roles=("supervisor", "admin"))


@area_managers.post(
    "/api/v1/admin/areas", body=AreaUpload, response=AreaUploadResult, status=201, audit="area"
)
def upload_areas(principal: Principal, body: AreaUpload) -> Response:
    """Upload sectors (GeoJSON FeatureCollection of Polygons); a sector of the same code is replaced"""
    return json_response(areas.upload(principal, body), status=201)


@leads.get("/api/v1/admin/areas", response=AreaSectorList)
def list_areas_admin() -> Response:
    """The sectors, each with its confirmed subscribers"""
    return json_response(areas.listing(with_counts=True))


@area_managers.delete("/api/v1/admin/areas/{code}", status=204, audit="area", before=_area)
def delete_area(code: str, principal: Principal) -> Response:
    """Delete a sector"""
    areas.remove(principal, code)
    return Response(body="", status_code=204)


@public.get("/api/v1/areas", response=AreaSectorList)
def list_areas() -> Response:
    """The sectors (codes and names)"""
    return json_response(areas.listing(), headers={"Cache-Control": "public, max-age=300"})


@public.get(
    "/api/v1/areas/match",
    response=AreaMatch,
    query={
        "lat": q("WGS84 latitude", required=True, type="number", minimum=-90, maximum=90),
        "long": q("WGS84 longitude", required=True, type="number", minimum=-180, maximum=180),
    },
)
def match_area() -> Response:
    """The sector holding a point (404 area_no_sector when none does)"""
    params = query_params(bp.current_request)
    try:
        lat, long = float(params.get("lat", "")), float(params.get("long", ""))
    except ValueError as error:
        raise BadRequest("invalid_query", {"detail": "lat, long"}) from error
    if not (-90 <= lat <= 90 and -180 <= long <= 180):
        raise BadRequest("invalid_query", {"detail": "lat ∈ [-90, 90], long ∈ [-180, 180]"})
    return json_response(areas.match(lat, long))


# ---- topics ----------------------------------------------------------------------------------------


@public.get("/api/v1/subscription-topics", response=SubscriptionTopicList)
def list_topics() -> Response:
    """Topics one can subscribe to"""
    return json_response(subscriptions.topics(active_only=True))


@subscription_managers.get("/api/v1/admin/subscription-topics", response=SubscriptionTopicList)
def list_topics_admin() -> Response:
    """Every subscription topic, inactive ones too, each with its confirmed subscribers"""
    return json_response(subscriptions.topics(active_only=False, with_counts=True))


@subscription_managers.put(
    "/api/v1/admin/subscription-topics/{code}",
    body=SubscriptionTopicIn,
    response=SubscriptionTopic,
    audit="subscription_topic",
    before=_topic,
)
def put_topic(code: str, principal: Principal) -> Response:
    """Create or replace a subscription topic"""
    request = bp.current_request
    if not is_code(code):
        raise BadRequest("invalid_code", {"name": code})
    return json_response(subscriptions.put_topic(principal, code, parse_body(request, SubscriptionTopicIn)))


@subscription_managers.delete(
    "/api/v1/admin/subscription-topics/{code}", status=204, audit="subscription_topic", before=_topic
)
def delete_topic(code: str, principal: Principal) -> Response:
    """Delete a subscription topic"""
    subscriptions.delete_topic(principal, code)
    return Response(body="", status_code=204)


# ---- subscriptions ---------------------------------------------------------------------------------


@public.post(
    "/api/v1/subscriptions",
    body=SubscriptionIn,
    response=SubscriptionCreated,
    status=201,
    headers={"Authorization": FILER_BEARER},
)
def subscribe(body: SubscriptionIn) -> Response:
    """Subscribe (anonymous or signed in); nothing is sent until the link or the SMS code confirms it"""
    request = bp.current_request
    citizen = citizen_of(request) if is_citizen_token(request) else None
    return json_response(subscriptions.subscribe(body, citizen, client_address(request)), status=201)


@public.post("/api/v1/subscriptions/confirm", body=SubscriptionConfirmEmailIn, response=SubscriptionOut)
def confirm_email(body: SubscriptionConfirmEmailIn) -> Response:
    """Confirm an email address with the link's token (used once)"""
    return json_response(subscriptions.confirm_email(body.token))


@public.post(
    "/api/v1/subscriptions/{sub_id}/confirm-sms", body=SubscriptionConfirmSmsIn, response=SubscriptionOut
)
def confirm_sms(sub_id: str, body: SubscriptionConfirmSmsIn) -> Response:
    """Confirm a phone with the code sent to it (5 tries)"""
    return json_response(subscriptions.confirm_sms(sub_id, body.code))


def _token() -> str | None:
    return query_params(bp.current_request).get("t")


@public.get("/api/v1/subscriptions/{sub_id}", response=SubscriptionOut, query={"t": TOKEN})
def show_subscription(sub_id: str) -> Response:
    """A subscription, opened by its management link"""
    return json_response(subscriptions.show(sub_id, _token()))


@public.put(
    "/api/v1/subscriptions/{sub_id}", body=SubscriptionUpdateIn, response=SubscriptionOut, query={"t": TOKEN}
)
def update_subscription(sub_id: str, body: SubscriptionUpdateIn) -> Response:
    """Change the topics, sectors or language of a subscription"""
    return json_response(subscriptions.update(sub_id, _token(), body))


@public.post(
    "/api/v1/subscriptions/{sub_id}/unsubscribe",
    response=SubscriptionOut,
    query={"t": TOKEN, "topic": TOPIC, "src": SOURCE},
)
def unsubscribe(sub_id: str) -> Response:
    """Unsubscribe from one topic or from everything (RFC 8058 one-click: any body)"""
    params = query_params(bp.current_request)
    topic, source = params.get("topic"), params.get("src")
    if topic is not None and not is_code(topic):
        raise BadRequest("invalid_query", {"detail": "topic"})
    if source is not None and not re.match(proactive_figures.SOURCE_PATTERN, source):
        raise BadRequest("invalid_query", {"detail": "src"})
    return json_response(subscriptions.unsubscribe(sub_id, _token(), topic, source=source))


@public.post(
    "/api/v1/subscriptions/{sub_id}/devices",
    body=SubscriptionDeviceIn,
    response=SubscriptionOut,
    query={"t": TOKEN},
)
def add_subscription_device(sub_id: str, body: SubscriptionDeviceIn) -> Response:
    """Receive the subscription's alerts in this browser too (Web Push; at most 3 browsers)"""
    return json_response(subscription_push.add_device(sub_id, _token(), body))


# ---- service alerts --------------------------------------------------------------------------------


@publishers.post(
    "/api/v1/admin/alerts", body=ServiceAlertIn, response=ServiceAlert, status=201, audit="service_alert"
)
def publish_alert(principal: Principal, body: ServiceAlertIn) -> Response:
    """Publish an outage or emergency alert to the confirmed subscribers of sectors and topics"""
    return json_response(service_alerts.publish(principal, body), status=201)


@publishers.get("/api/v1/admin/alerts", response=ServiceAlertList)
def list_alerts() -> Response:
    """Recent service alerts with their figures"""
    return json_response(service_alerts.listing())


@publishers.get("/api/v1/admin/alerts/{alert_id}", response=ServiceAlert)
def show_alert(alert_id: str) -> Response:
    """A service alert with its updates and figures"""
    return json_response(service_alerts.get(alert_id))


@publishers.post(
    "/api/v1/admin/alerts/{alert_id}/updates",
    body=ServiceAlertUpdateIn,
    response=ServiceAlert,
    status=201,
    audit="service_alert",
    before=_alert,
)
def update_alert(alert_id: str, principal: Principal, body: ServiceAlertUpdateIn) -> Response:
    """An update of an alert, or the service restored (kind restored), sent to the same audience"""
    return json_response(
        service_alerts.add_update(principal, alert_id, body),
        status=201,
    )


@public.get(
    "/api/v1/alerts",
    response=ServiceAlertBannerList,
    query={"service": q("a request type", pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")},
)
def banners() -> Response:
    """Open service alerts for the portal's banner (service: those of one request type)"""
    request = bp.current_request
    service = query_params(request).get("service")
    return json_response(service_alerts.banners(lang_of(request), service))


# ---- campaigns and newsletters ---------------------------------------------------------------------


def _campaign(campaign_id: str) -> Campaign | None:
    return campaigns.stored(campaign_id)


@campaign_managers.post("/api/v1/admin/campaigns/preview", body=CampaignIn, response=CampaignPreview)
def preview_campaign(body: CampaignIn) -> Response:
    """A campaign's audience size and its rendered message, before anything is sent"""
    request = bp.current_request
    return json_response(campaigns.preview(body, lang_of(request)))


@campaign_managers.post(
    "/api/v1/admin/campaigns", body=CampaignIn, response=Campaign, status=201, audit="campaign"
)
def create_campaign(principal: Principal, body: CampaignIn) -> Response:
    """Schedule a campaign (send_at) or a newsletter (every_days) to a segment of subscribers"""
    return json_response(campaigns.create(principal, body), status=201)


@campaign_managers.get("/api/v1/admin/campaigns", response=CampaignList)
def list_campaigns() -> Response:
    """Recent campaigns with their figures"""
    return json_response(campaigns.listing())


@campaign_managers.get("/api/v1/admin/campaigns/{campaign_id}", response=Campaign)
def show_campaign(campaign_id: str) -> Response:
    """A campaign with its figures"""
    return json_response(campaigns.get(campaign_id))


@campaign_managers.post(
    "/api/v1/admin/campaigns/{campaign_id}/cancel", response=Campaign, audit="campaign", before=_campaign
)
def cancel_campaign(campaign_id: str, principal: Principal) -> Response:
    """Cancel a campaign's next runs (what went out stays sent)"""
    return json_response(campaigns.cancel(principal, campaign_id))
