"""The indexer function as Lambda invokes it from its queue (sample event, the table's last state
wins, partial failures, idempotence) and the operator commands (import, export, rebuild) against
moto."""

from __future__ import annotations

import copy
import json
import socket
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
from boto3.dynamodb.types import TypeDeserializer

from infra.local.functions import LambdaContext
from tests.conftest import Aws, table_items
from tests.integration.help_support import article_body, demo_help, search_slugs, sync, unique

FIXTURES = (demo_help, sync)  # pytest finds fixtures by name in this module
EVENTS = Path(__file__).resolve().parents[2] / "events"
SLUG = "horario-oirs-ejemplo"


def sample() -> dict[str, Any]:
    return dict(json.loads((EVENTS / "indexer" / "article_changed.json").read_text(encoding="utf-8")))


def message(slug: str = SLUG, **detail: Any) -> dict[str, Any]:
    """The sample message, naming another article (a new message id)."""
    record = copy.deepcopy(sample()["Records"][0])
    envelope = json.loads(record["body"])
    envelope["detail"] = {**envelope["detail"], "slug": slug, **detail}
    record["body"] = json.dumps(envelope)
    record["messageId"] = str(uuid.uuid4())
    return dict(record)


def invoke(aws: Aws, event: dict[str, Any]) -> Any:
    return aws.stack.functions["IndexerFunction"].load()(event, LambdaContext("IndexerFunction"))


def store_sample_article(aws: Aws, **changes: Any) -> None:
    """The article of the dispatcher's sample stream record, as the table holds it."""
    record = json.loads((EVENTS / "stream" / "article_published.json").read_text(encoding="utf-8"))
    data = record["Records"][0]["dynamodb"]
    image = {k: TypeDeserializer().deserialize(v) for k, v in {**data["Keys"], **data["NewImage"]}.items()}
    boto3.resource("dynamodb").Table(aws.env["TABLE_NAME"]).put_item(Item={**image, **changes})


def copies(slug: str = SLUG) -> int:
    from ventanilla.help.search.shared import shared_engine

    return sum(1 for h in shared_engine().search("patente comercial", limit=100).hits if h.slug == slug)


def test_sample_event_follows_the_table_and_a_retry_changes_nothing(aws: Aws) -> None:
    store_sample_article(aws)
    event = sample()
    assert invoke(aws, event) == {"batchItemFailures": []}
    assert invoke(aws, event) == {"batchItemFailures": []}  # redelivered: same index
    assert copies() == 1
    # The event says "published", the table now says archived: the table wins.
    store_sample_article(aws, status="archived")
    assert invoke(aws, event) == {"batchItemFailures": []}
    assert copies() == 0
    store_sample_article(aws)
    assert invoke(aws, event) == {"batchItemFailures": []}
    assert copies() == 1
    boto3.resource("dynamodb").Table(aws.env["TABLE_NAME"]).delete_item(
        Key={"PK": f"ARTICLE#es#{SLUG}", "SK": "ARTICLE"}
    )
    assert invoke(aws, event) == {"batchItemFailures": []}  # gone from the table: gone from the index
    assert copies() == 0


def test_a_batch_is_read_once_and_a_repeated_article_counts_once(aws: Aws) -> None:
    store_sample_article(aws)
    twice = [message(), message(), message(unique("nunca-escrito"))]
    assert invoke(aws, {"Records": twice}) == {"batchItemFailures": []}
    assert copies() == 1


def test_a_message_that_names_no_article_is_reported_alone(aws: Aws) -> None:
    good = message()
    no_slug = message(slug="")
    other = message()
    other["body"] = json.dumps({**json.loads(other["body"]), "detail-type": "TicketCreated"})
    not_json = message()
    not_json["body"] = "{roto"
    answer = invoke(aws, {"Records": [good, no_slug, other, not_json]})
    assert sorted(f["itemIdentifier"] for f in answer["batchItemFailures"]) == sorted(
        m["messageId"] for m in (no_slug, other, not_json)
    )


def test_when_the_engine_is_unreachable_every_message_comes_back(aws: Aws) -> None:
    from ventanilla.help.search import make_engine
    from ventanilla.help.search.shared import set_shared_engine, shared_engine

    with socket.socket() as probe:  # a port nothing listens on: connections are refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store_sample_article(aws)
    records = [message(), message(unique("otro")), message(slug="")]
    previous = shared_engine()
    set_shared_engine(make_engine("opensearch", url=f"http://127.0.0.1:{port}"))
    try:
        answer = invoke(aws, {"Records": records})
    finally:
        set_shared_engine(previous)
    assert sorted(f["itemIdentifier"] for f in answer["batchItemFailures"]) == sorted(
        r["messageId"] for r in records
    )


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
