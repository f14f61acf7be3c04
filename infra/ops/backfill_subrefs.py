"""Give subscriptions made signed in before ``SUBREF#`` items existed their item, so erasing the
account finds them (an upgrade step).

    python -m infra.ops.backfill_subrefs [--start CURSOR] [--page 500]

It Scans the table (offline only) page by page and prints one line a page: subscriptions scanned,
references added, already present, and subscriptions of accounts already erased that it erased
now, then the cursor to resume from (``--start``) if it stops. Idempotent: running it twice adds
nothing. Needs the stack's environment (TABLE_NAME, AWS credentials).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.ops.backfill_subrefs", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--start", default=None, help="the cursor a stopped run printed last")
    parser.add_argument("--page", type=int, default=500, help="items a Scan page reads (1-1000)")
    args = parser.parse_args(argv)
    from ventanilla.services import subscription_upkeep

    def report(page: dict[str, Any]) -> None:
        print(json.dumps(page), flush=True)

    totals = subscription_upkeep.backfill_account_refs(args.start, report, max(1, min(args.page, 1000)))
    print(json.dumps({"total": totals}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
