"""The indexer function as Lambda invokes it (sample event, partial failures, idempotence) and the
operator commands (import, export, rebuild) against moto."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from infra.local.functions import LambdaContext
from tests.conftest import Aws, table_items
from tests.integration.help_support import article_body, demo_help, search_slugs, sync, unique

FIXTURES = (demo_help, sync)  # pytest finds fixtures by name in this module
EVENTS = Path(__file__).resolve().parents[2] / "events"


def sample() -> dict[str, Any]:
    return dict(json.loads((EVENTS / "indexer" / "article_published.json").read_text(encoding="utf-8")))


def invoke(aws: Aws, event: dict[str, Any]) -> Any:
    return aws.stack.functions["IndexerFunction"].load()(event, LambdaContext("IndexerFunction"))


def test_sample_event_indexes_and_a_retry_changes_nothing(aws: Aws, api: Any) -> None:
    from ventanilla.help.search.shared import shared_engine

    engine = shared_engine()

    def copies() -> int:
        hits = engine.search("patente comercial", limit=100).hits
        return sum(1 for h in hits if h.slug == "horario-oirs-ejemplo")

    event = sample()
    assert invoke(aws, event) == {"batchItemFailures": []}
    assert invoke(aws, event) == {"batchItemFailures": []}  # redelivered: same index
    assert copies() == 1
    removal = copy.deepcopy(event)
    removal["Records"][0]["eventName"] = "REMOVE"
    removal["Records"][0]["dynamodb"].pop("NewImage")
    assert invoke(aws, removal) == {"batchItemFailures": []}
    assert copies() == 0


def test_archived_image_removes_and_other_items_are_ignored(aws: Aws) -> None:
    from ventanilla.help.search.shared import shared_engine

    engine = shared_engine()
    invoke(aws, sample())
    archived = sample()
    archived["Records"][0]["dynamodb"]["NewImage"]["status"] = {"S": "archived"}
    stats = sample()
    stats["Records"][0]["dynamodb"]["Keys"]["SK"] = {"S": "STATS"}
    stats["Records"][0]["dynamodb"]["NewImage"]["status"] = {"S": "published"}
    ticket = json.loads((EVENTS / "stream" / "ticket_created.json").read_text(encoding="utf-8"))
    assert invoke(aws, {"Records": [archived["Records"][0], stats["Records"][0], *ticket["Records"]]}) == {
        "batchItemFailures": []
    }
    assert "horario-oirs-ejemplo" not in [h.slug for h in engine.search("patente comercial", limit=50).hits]


def test_a_bad_record_is_reported_alone(aws: Aws) -> None:
    good = sample()["Records"][0]
    bad = copy.deepcopy(good)
    bad["dynamodb"]["SequenceNumber"] = "501"
    del bad["dynamodb"]["NewImage"]["title"]
    later = copy.deepcopy(good)
    later["dynamodb"]["SequenceNumber"] = "502"
    assert invoke(aws, {"Records": [good, bad, later]}) == {"batchItemFailures": [{"itemIdentifier": "501"}]}
    invoke(aws, {"Records": [{**good, "eventName": "REMOVE"}]})


def test_operator_commands_import_export_and_rebuild(
    aws: Aws, api: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], sync: Any, demo_help: int
) -> None:
    from ventanilla.help import manage
    from ventanilla.help.articles import export_markdown_dir, load_jsonl

    slugs = [unique("operador") for _ in range(2)]
    lines = [
        json.dumps({**article_body(s), "status": "published", "body_md": "Texto jilguero."}) for s in slugs
    ]
    source = tmp_path / "lote.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert manage.main(["import", str(source)]) == 0
    assert "2 new" in capsys.readouterr().out
    sync()
    assert set(search_slugs(api, "jilguero")) == set(slugs)

    before = table_items(aws)
    broken = tmp_path / "malo.jsonl"
    broken.write_text(lines[0] + "\n{roto\n", encoding="utf-8")
    assert manage.main(["import", str(broken)]) == 1
    assert "malo.jsonl:2" in capsys.readouterr().err
    assert table_items(aws) == before

    folder = tmp_path / "md"
    assert manage.main(["export", str(folder), "--markdown", "--lang", "es"]) == 0
    assert (folder / "es" / f"{slugs[0]}.md").read_text(encoding="utf-8").startswith("---")
    out = tmp_path / "todo.jsonl"
    assert manage.main(["export", str(out)]) == 0
    exported = load_jsonl(out)
    assert len(exported) >= demo_help and {a.lang for a in exported} == {"es", "en"}

    edited = [a.model_copy(update={"title": "Título desde Markdown"}) for a in exported if a.slug == slugs[1]]
    md = tmp_path / "editado"
    export_markdown_dir(edited, md)
    assert manage.main(["import", str(md)]) == 0
    assert "1 updated" in capsys.readouterr().out

    from ventanilla.help.search.shared import shared_engine

    shared_engine().clear()
    assert manage.main(["rebuild"]) == 0
    assert "indexed" in capsys.readouterr().out
    assert set(search_slugs(api, "jilguero")) == set(slugs)
