"""Open311 GeoReport v2 (F3): the catalog as services, requests filed and followed by civic apps.

``wire`` renders the spec's XML and JSON, ``services`` maps the catalog, ``intake`` files a
form-encoded POST, ``listing`` answers GET requests. The spec: http://wiki.open311.org/GeoReport_v2
"""
