"""Self-service help (requirements A1-A2): articles organised by section and stage, and their search."""

from ventanilla.help.articles import (
    STAGE_LABELS,
    Article,
    ArticleImportError,
    ImportIssue,
    ImportReport,
    Stage,
    dump_jsonl,
    export_markdown_dir,
    import_markdown_dir,
    load_jsonl,
    parse_jsonl,
    parse_markdown_dir,
    plain_text,
    render_html,
    to_jsonl,
)

__all__ = [
    "STAGE_LABELS",
    "Article",
    "ArticleImportError",
    "ImportIssue",
    "ImportReport",
    "Stage",
    "dump_jsonl",
    "export_markdown_dir",
    "import_markdown_dir",
    "load_jsonl",
    "parse_jsonl",
    "parse_markdown_dir",
    "plain_text",
    "render_html",
    "to_jsonl",
]
