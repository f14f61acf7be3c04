"""Generate the Web Push VAPID key pair and store it in the stack's VapidSecret.

    python -m infra.ops.vapid --stack ventanilla [--force]

Run once after the first deploy (the secret starts as a placeholder and the portal's "turn on
notices" answers 409 until then). A key pair already there is kept unless ``--force``: a new pair
makes every browser subscription made with the old public key useless (browsers subscribe again
the next time the citizen turns notices on). Prints the public key, never the private one.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

import boto3

from infra.ops.outputs import StackNotReady, stack_outputs


def has_pair(value: str) -> bool:
    try:
        keys = json.loads(value)
    except ValueError:
        return False
    return isinstance(keys, dict) and bool(keys.get("private_key")) and bool(keys.get("public_key"))


def ensure(secret_arn: str, force: bool = False, client: object | None = None) -> tuple[str, bool]:
    """(public key, whether a new pair was written)."""
    from ventanilla.integrations.webpush import new_vapid_keys

    sm = client or boto3.client("secretsmanager")
    current = str(sm.get_secret_value(SecretId=secret_arn)["SecretString"])  # type: ignore[attr-defined]
    if has_pair(current) and not force:
        return str(json.loads(current)["public_key"]), False
    keys = new_vapid_keys()
    sm.put_secret_value(SecretId=secret_arn, SecretString=json.dumps(keys))  # type: ignore[attr-defined]
    return keys["public_key"], True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.ops.vapid", description=__doc__.split("\n")[0])
    parser.add_argument("--stack", required=True)
    parser.add_argument("--force", action="store_true", help="replace an existing key pair")
    args = parser.parse_args(argv)
    try:
        arn = stack_outputs(args.stack, "VapidSecretArn")["VapidSecretArn"]
    except StackNotReady as error:
        print(error, file=sys.stderr)
        return 2
    public, written = ensure(arn, args.force)
    print(("new key pair stored; " if written else "key pair kept; ") + f"public key: {public}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
