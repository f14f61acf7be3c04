"""The web on CloudFront: private bucket behind OAC, /api/* to API Gateway on the same origin
without HTML error pages, security headers in step with the local server, and no dependency
cycle between the functions and the distribution."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest

from infra.local import template as tpl
from infra.local.web import CONTENT_SECURITY_POLICY, WEB_HEADERS

TEMPLATE = tpl.load()
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
CONFIG: dict[str, Any] = RESOURCES["Distribution"]["Properties"]["DistributionConfig"]
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


def _api_behaviour() -> dict[str, Any]:
    (behaviour,) = [b for b in CONFIG["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
    return behaviour


def test_api_goes_to_the_rest_api_stage_uncached_with_every_viewer_header_but_host() -> None:
    api = _api_behaviour()
    (origin,) = [o for o in CONFIG["Origins"] if o["Id"] == api["TargetOriginId"]]
    assert origin["DomainName"] == {"Fn::Sub": "${Api}.execute-api.${AWS::Region}.amazonaws.com"}
    assert origin["OriginPath"] == "/" + RESOURCES["Api"]["Properties"]["StageName"]
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert api["CachePolicyId"] == CACHING_DISABLED
    assert api["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST
    assert set(api["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    assert api["ViewerProtocolPolicy"] == "https-only"
    assert "FunctionAssociations" not in api  # the SPA rewrite must never touch the API


def test_web_is_https_compressed_http3_and_spa_fallback_is_not_distribution_wide() -> None:
    default = CONFIG["DefaultCacheBehavior"]
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"
    assert default["Compress"] is True and _api_behaviour()["Compress"] is True
    assert CONFIG["HttpVersion"] == "http2and3"
    assert "CustomErrorResponses" not in CONFIG  # would turn the API's 404 problem documents into HTML
    (association,) = default["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    assert association["FunctionARN"] == {
        "Fn::GetAtt": ["SpaRewriteFunction", "FunctionMetadata.FunctionARN"]
    }
    for behaviour in [default, _api_behaviour()]:
        assert behaviour["ResponseHeadersPolicyId"] == {"Ref": "WebHeadersPolicy"}


@pytest.mark.skipif(shutil.which("node") is None, reason="node runs the CloudFront Function's code")
@pytest.mark.parametrize(
    ("uri", "served"),
    [
        ("/", "/index.html"),
        ("/ayuda", "/index.html"),
        ("/agente/cola", "/index.html"),
        ("/index.html", "/index.html"),
        ("/js/app.js", "/js/app.js"),
        ("/js/views/request.js", "/js/views/request.js"),
        ("/i18n/es.json", "/i18n/es.json"),
        ("/css/app.css", "/css/app.css"),
        ("/carpeta.v2/ruta", "/index.html"),
    ],
)
def test_spa_rewrite_function_keeps_files_and_serves_the_app_elsewhere(uri: str, served: str) -> None:
    code = RESOURCES["SpaRewriteFunction"]["Properties"]["FunctionCode"]
    script = code + f"\nprocess.stdout.write(handler({{request: {{uri: {json.dumps(uri)}}}}}).uri);"
    result = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=30, check=True)
    assert result.stdout == served


def _directives(policy: str) -> dict[str, set[str]]:
    out = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        out[name] = set(sources)
    return out


def test_csp_is_the_local_one_plus_cognito_and_the_other_security_headers_are_set() -> None:
    config = RESOURCES["WebHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"][
        "SecurityHeadersConfig"
    ]
    cdn = _directives(config["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"])
    local = _directives(CONTENT_SECURITY_POLICY)
    assert cdn.pop("connect-src") == {"'self'", "https://cognito-idp.${AWS::Region}.amazonaws.com"}
    assert cdn == local
    assert local["frame-ancestors"] == {"'none'"}
    assert config["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert (
        config["ContentTypeOptions"]["Override"] is True
        and WEB_HEADERS["X-Content-Type-Options"] == "nosniff"
    )
    assert config["FrameOptions"]["FrameOption"] == WEB_HEADERS["X-Frame-Options"] == "DENY"
    assert config["ReferrerPolicy"]["ReferrerPolicy"] == WEB_HEADERS["Referrer-Policy"]


def test_the_web_bucket_is_readable_by_this_distribution_only() -> None:
    (origin,) = [o for o in CONFIG["Origins"] if o["Id"] == CONFIG["DefaultCacheBehavior"]["TargetOriginId"]]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["WebOriginAccessControl", "Id"]}
    policy = RESOURCES["WebBucketPolicy"]["Properties"]
    assert policy["Bucket"] == {"Ref": "WebBucket"}
    allows = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert len(allows) == 1
    (allow,) = allows
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert set(allow["Action"]) == {"s3:GetObject", "s3:ListBucket"}
    source = allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    assert source.endswith(":distribution/${Distribution}")


def test_custom_domain_is_optional_and_the_portal_url_is_an_output() -> None:
    params = TEMPLATE["Parameters"]
    assert params["DomainName"]["Default"] == "" and params["CertificateArn"]["Default"] == ""
    assert "us-east-1" in params["CertificateArn"]["AllowedPattern"]
    assert CONFIG["Aliases"]["Fn::If"][0] == "HasCustomDomain"
    assert CONFIG["ViewerCertificate"]["Fn::If"][0] == "HasCustomDomain"
    assert {"PortalUrl", "ConsoleUrl", "DistributionId", "WebBucketName", "ApiUrl"} <= set(
        TEMPLATE["Outputs"]
    )


def _mentions(value: Any, name: str) -> bool:
    return name in json.dumps(value)


def test_functions_find_the_portal_address_by_name_without_a_cycle() -> None:
    """Functions -> distribution -> API -> function would be a cycle: the functions get only the
    parameter's name (built from the stack name), and may read that one parameter."""
    env = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    name = RESOURCES["PublicBaseUrlParameter"]["Properties"]["Name"]
    assert env["PUBLIC_BASE_URL_PARAMETER"] == name == {"Fn::Sub": "/${AWS::StackName}/public-base-url"}
    for logical, resource in RESOURCES.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        props = resource["Properties"]
        assert not _mentions(props.get("Environment"), "Distribution"), logical
        assert not _mentions(props.get("Environment"), "PublicBaseUrlParameter"), logical
        reads = [
            s
            for p in props.get("Policies", [])
            if isinstance(p, dict)
            for s in p.get("Statement", [])
            if "ssm:GetParameter" in json.dumps(s["Action"])
        ]
        for statement in reads:
            assert statement["Action"] == "ssm:GetParameter", logical
            assert statement["Resource"]["Fn::Sub"].endswith(":parameter/${AWS::StackName}/public-base-url")
    readers = {
        n
        for n, r in RESOURCES.items()
        if r["Type"] == "AWS::Serverless::Function"
        and _mentions(r["Properties"].get("Policies"), "public-base-url")
    }
    # those that build links (receipts by email, alerts and campaigns with their management links)
    assert readers == {
        "ApiFunction",
        "NotifierFunction",
        "SmsInFunction",
        "EmailInFunction",
        "ProactiveFunction",
    }


def test_every_template_parameter_is_explained_in_the_deploy_guide() -> None:
    guide = (tpl.ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip().strip("`") for line in guide.splitlines() if line.startswith("| `")}
    assert set(TEMPLATE["Parameters"]) - rows == set(), "add a row to docs/deploy.md's Parameters table"


def test_the_first_run_invitation_is_spanish_first_and_carries_the_temporary_password() -> None:
    invite = RESOURCES["StaffPool"]["Properties"]["AdminCreateUserConfig"]["InviteMessageTemplate"]
    text, names = invite["EmailMessage"]["Fn::Sub"]
    assert text.index("Contraseña temporal: {####}") < text.index("Temporary password: {####}")
    assert text.count("{username}") == 2
    assert names["Where"]["Fn::If"][0] == "HasCustomDomain"  # never the distribution: a cycle
    assert not _mentions(invite, "Distribution")


def test_the_api_rate_limits_the_viewer_not_cloudfront_and_an_optional_waf_attaches() -> None:
    env = RESOURCES["ApiFunction"]["Properties"]["Environment"]["Variables"]
    assert env["TRUST_CDN_CLIENT_HEADER"] == "true"
    # The managed AllViewerExceptHostHeader policy forwards CloudFront's viewer headers too.
    assert _api_behaviour()["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST
    assert CONFIG["WebACLId"] == {
        "Fn::If": ["HasCdnWebAcl", {"Ref": "CdnWebAclArn"}, {"Ref": "AWS::NoValue"}]
    }
    waf = (tpl.ROOT / "infra" / "waf" / "cdn-waf.yaml").read_text(encoding="utf-8")
    assert "CdnWebAclArn" in waf  # the WAF template tells operators this parameter's name
