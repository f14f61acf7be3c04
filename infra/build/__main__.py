"""``python -m infra.build LogicalId ARTIFACTS_DIR``: one resource, as ``sam build`` asks for it;
``python -m infra.build sizes [BUILD_DIR]``: the unzipped sizes of what ``sam build`` produced."""

from __future__ import annotations

import sys
from pathlib import Path

from infra.build.assemble import assemble, find_python312, resources
from infra.build.sizes import LIMIT, sizes, table


def main(argv: list[str]) -> int:
    found = resources()
    if len(argv) >= 1 and argv[0] == "sizes":
        build_dir = Path(argv[1] if len(argv) > 1 else ".aws-sam/build")
        rows = sizes({name: build_dir / name for name in found}, found)
        print(table(rows))
        return 1 if any(row.total > LIMIT for row in rows) else 0
    if len(argv) != 2 or argv[0] not in found:
        print(__doc__, file=sys.stderr)
        return 2
    python312 = find_python312()
    if python312 is None:
        print(f"{argv[0]}: no python3.12 here: no precompiled bytecode (slower cold starts)", file=sys.stderr)
    assemble(argv[0], Path(argv[1]), python312=python312, found=found)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
