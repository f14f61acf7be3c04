"""Print a demo staff member's access token from a running local stack, for trying staff routes
with curl: ``TOKEN=$(python -m infra.local.token ana.l1)``.

Signs in through the dev server's Cognito forward (``/dev/cognito``) with the demo password.
"""

from __future__ import annotations

import argparse
import json
import urllib.request
from pathlib import Path

STAFF = Path(__file__).resolve().parents[1] / "seed" / "staff.json"


def _post(url: str, body: dict[str, object], headers: dict[str, str]) -> dict[str, object]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - the local stack only
        return dict(json.loads(answer.read()))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m infra.local.token")
    parser.add_argument("username", help="a demo login, e.g. ana.l1")
    parser.add_argument("--url", default="http://localhost:8000")
    args = parser.parse_args(argv)
    password = next(s["password"] for s in json.loads(STAFF.read_text()) if s["username"] == args.username)
    with urllib.request.urlopen(f"{args.url}/api/v1/config", timeout=10) as answer:  # noqa: S310
        client_id = json.loads(answer.read())["user_pool_client_id"]
    result = _post(
        f"{args.url}/dev/cognito",
        {
            "ClientId": client_id,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": args.username, "PASSWORD": password},
        },
        {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
        },
    )
    print(result["AuthenticationResult"]["AccessToken"])  # type: ignore[index]


if __name__ == "__main__":
    main()
