"""The CDN's rate-based rules (infra/waf/cdn-waf.yaml; `make lint` checks it with cfn-lint) answer
like the API and are aimed at routes that exist."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from infra.local import template as tpl

WAF = Path(tpl.ROOT / "infra" / "waf" / "cdn-waf.yaml")


def _rules() -> dict[str, Any]:
    return {r["Name"]: r for r in tpl.load(WAF)["Resources"]["WebAcl"]["Properties"]["Rules"]}


def test_rules_block_with_a_problem_document_and_retry_after() -> None:
    for name, rule in _rules().items():
        response = rule["Action"]["Block"]["CustomResponse"]
        assert response["ResponseCode"] == 429, name
        assert {"Name": "Retry-After", "Value": "300"} in response["ResponseHeaders"], name


def test_the_scoped_rules_aim_at_the_filing_and_follow_routes(app: Any) -> None:
    filing = _rules()["filing-per-ip"]["Statement"]["RateBasedStatement"]["ScopeDownStatement"]
    method, path = (s["ByteMatchStatement"]["SearchString"] for s in filing["AndStatement"]["Statements"])
    assert method in app.routes[path]
    follow = _rules()["code-checks-per-ip"]["Statement"]["RateBasedStatement"]["ScopeDownStatement"]
    prefix = follow["ByteMatchStatement"]["SearchString"]
    assert "GET" in app.routes[prefix + "{number}"]
