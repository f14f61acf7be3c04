"""Demo sectors and topics for the proactive service: two sectors of Valle Verde (around the demo
requests' points) and four topics, loaded through the admin services as an admin would."""

from __future__ import annotations

from ventanilla.auth import Principal
from ventanilla.models.proactive import AreaUpload, SubscriptionTopicIn

SECTORS = (("centro", "Centro", "Downtown", -33.46, -70.68), ("oriente", "Oriente", "East", -33.46, -70.64))
TOPICS = (
    ("cortes-agua", "Cortes de agua", "Water cuts"),
    ("eventos", "Eventos", "Events"),
    ("tramites", "Trámites", "Procedures"),
    ("boletin", "Boletín", "Newsletter"),
)


def seed_proactive() -> None:
    from ventanilla.services import areas, subscriptions

    admin = Principal(sub="demo-seed", username="demo", groups=frozenset({"admin"}))
    features = []
    for code, name, name_en, lat, long in SECTORS:
        ring = [[long, lat], [long + 0.04, lat], [long + 0.04, lat + 0.04], [long, lat + 0.04], [long, lat]]
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": name, "name_en": name_en},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    areas.upload(admin, AreaUpload.model_validate({"type": "FeatureCollection", "features": features}))
    for code, name, name_en in TOPICS:
        subscriptions.put_topic(admin, code, SubscriptionTopicIn(name=name, name_en=name_en))
