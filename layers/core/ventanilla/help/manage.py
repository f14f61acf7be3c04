"""Operator commands for the help centre, against the table named by the environment.

    python -m ventanilla.help.manage import articles.jsonl      # or a folder of Markdown files
    python -m ventanilla.help.manage export out.jsonl [--lang es]
    python -m ventanilla.help.manage export out-folder/ --markdown
    python -m ventanilla.help.manage rebuild                     # re-index every published article

Imports are validated whole before anything is written (errors by line or by file) and then
written as the API writes them; the search index follows through the table's stream. ``rebuild``
talks to the engine the environment configures (OpenSearch in AWS); with the local stack running,
use ``POST /api/v1/admin/help/reindex`` instead, since its in-process index belongs to it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ventanilla.help.articles import (
    ImportReport,
    export_markdown_dir,
    parse_jsonl,
    parse_markdown_dir,
    to_jsonl,
)


def _report(path: Path) -> ImportReport:
    if path.is_dir():
        return parse_markdown_dir(path)
    with path.open(encoding="utf-8") as fh:
        return parse_jsonl(fh, str(path))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ventanilla.help.manage", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    imp = commands.add_parser("import", help="import a JSON Lines file or a folder of Markdown files")
    imp.add_argument("source", type=Path)
    imp.add_argument("--by", default="operador", help="recorded as the author of the revisions")
    exp = commands.add_parser("export", help="export every article (any status)")
    exp.add_argument("dest", type=Path)
    exp.add_argument("--lang", choices=("es", "en"))
    exp.add_argument("--markdown", action="store_true", help="a folder of Markdown files with front matter")
    commands.add_parser("rebuild", help="clear the search index and index every published article")
    args = parser.parse_args(argv)

    if args.command == "import":
        from ventanilla.services.help_content import write_import

        report = _report(args.source)
        if not report.ok:
            for issue in report.errors:
                print(issue, file=sys.stderr)
            print(f"nothing imported: {len(report.errors)} problem(s)", file=sys.stderr)
            return 1
        result = write_import(report.articles, args.by)  # all of it or, if a write fails, none
        print(f"imported {result.imported} article(s): {result.created} new, {result.updated} updated")
        return 0
    if args.command == "export":
        from ventanilla.services.help_content import all_articles

        articles = all_articles(args.lang)
        if args.markdown:
            export_markdown_dir(articles, args.dest)
        else:
            args.dest.write_text(to_jsonl(articles), encoding="utf-8")
        print(f"exported {len(articles)} article(s) to {args.dest}")
        return 0
    from ventanilla.services.help_public import rebuild

    print(f"indexed {rebuild()} published article(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
