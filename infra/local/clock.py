"""Move the local stack's clock forward: ``python -m infra.local.clock advance 3d``.

Talks to a running local stack (``make dev``) through ``POST /dev/clock?advance=<amount>``; amounts
are a number and a unit: s, m, h, d, w. ``python -m infra.local.clock show`` prints the current time.
"""

from __future__ import annotations

import argparse
import json
import urllib.request


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m infra.local.clock")
    parser.add_argument("command", choices=["advance", "show"])
    parser.add_argument("amount", nargs="?", default="1h", help="e.g. 30m, 2h, 3d, 1w")
    parser.add_argument("--url", default="http://localhost:8000")
    args = parser.parse_args(argv)
    if args.command == "advance":
        url = f"{args.url}/dev/clock?advance={args.amount}"
        request = urllib.request.Request(url, data=b"", method="POST")  # noqa: S310
    else:
        request = urllib.request.Request(f"{args.url}/dev/clock")  # noqa: S310
    # The local stack only (http://localhost by default); no other scheme is meant here.
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        print(json.dumps(json.loads(answer.read()), indent=1))


if __name__ == "__main__":
    main()
