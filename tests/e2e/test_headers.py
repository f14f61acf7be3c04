"""The local server's answers over real HTTP: security headers on the web and the API, no Python
version in ``Server``, and methods nobody routes answered as problem documents."""

from __future__ import annotations

import requests


def test_web_and_api_answers_carry_security_headers(stack_url: str) -> None:
    for path in (
        "/",
        "/js/app.js",
        "/no-such-file",
        "/api/v1/health",
        "/api/v1/no-such-route",
        "/dev/outbox",
    ):
        response = requests.get(stack_url + path, timeout=30)
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["X-Frame-Options"] == "DENY", path
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert headers["Referrer-Policy"] == "no-referrer", path
        assert "Python" not in headers.get("Server", ""), (path, headers.get("Server"))


def test_unrouted_methods_answer_problems(stack_url: str) -> None:
    for method in ("TRACE", "QUERY", "PROPFIND"):
        response = requests.request(method, stack_url + "/api/v1/health", timeout=30)
        assert response.status_code == 405, (method, response.status_code)
        assert response.headers["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == 405
        assert "Python" not in response.headers.get("Server", "")
