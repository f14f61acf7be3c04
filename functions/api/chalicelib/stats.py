"""Routes of this area (registered in app.py; each route is also an API event in template.yaml)."""

from __future__ import annotations

from chalice import Blueprint

bp = Blueprint(__name__)
