"""Recount the subscriber counters (per sector and per topic) from the subscriptions themselves.

    python -m infra.ops.recount_subscribers

For a table written before the counters existed, or to check them. It Scans the table (offline
only) and sets each counter to the exact figure; run it with the traffic stopped (a subscription
changed during the Scan may be miscounted: running it again fixes that). Prints what changed.
Needs the stack's environment (TABLE_NAME, AWS credentials).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.ops.recount_subscribers", description=__doc__.split("\n")[0]
    )
    parser.parse_args(argv)
    from ventanilla.services import subscription_upkeep

    print(json.dumps(subscription_upkeep.recount(), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
