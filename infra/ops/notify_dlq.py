"""The notifications dead-letter queue from a terminal: what failed every retry, and redrive it.

    python -m infra.ops.notify_dlq list [--limit 20]
    python -m infra.ops.notify_dlq redrive [--limit 100]

Needs the stack's environment (TABLE_NAME, NOTIFICATIONS_QUEUE_URL, NOTIFICATIONS_DLQ_URL, AWS
credentials); the same service calls back the supervisor's admin route. Redriven notices are sent
at most once each: the notifier skips every delivery already made.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.ops.notify_dlq", description=__doc__.split("\n")[0]
    )
    parser.add_argument("action", choices=["list", "redrive"])
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)
    from ventanilla.services import notice_admin

    if args.action == "list":
        listed = notice_admin.dead_letters(None, max(1, min(args.limit or 20, 100)))
        print(json.dumps(listed.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        moved = notice_admin.redrive(None, max(1, min(args.limit or 100, 1000)))
        print(json.dumps(moved.model_dump(mode="json")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
