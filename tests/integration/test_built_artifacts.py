"""Every function of template.yaml imports and answers its sample events from the built artifacts
alone (its folder and its layers, in a fresh python3.12 -I), against the moto server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.build import wheels
from infra.build.assemble import assemble, find_python312, resources
from infra.build.sizes import LIMIT, sizes, table, unzipped
from infra.local import template as tpl
from infra.local.stack import LOCAL_ENV
from tests.conftest import Aws
from tests.integration.built_support import Built, sample_events

FOUND = resources()
FUNCTIONS = sorted(name for name, r in FOUND.items() if r.kind == "function")
PYTHON312 = find_python312()
MARGIN = 40 * 1024 * 1024
"""Room every function keeps under Lambda's 250 MB (function plus its layers, unzipped) for the
next library: a deploy must not fail because a dependency grew."""
HEAVY = {"shapely": "GeoLayer", "numpy": "GeoLayer", "pywebpush": "WebPushLayer", "aiohttp": "WebPushLayer"}
"""Heavy modules in their own layers, which only the functions that use them have."""
needs_312 = pytest.mark.skipif(PYTHON312 is None, reason="no CPython 3.12 (the Lambda runtime) here")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    assert PYTHON312 is not None
    yield Built(tmp_path_factory.mktemp("built"), PYTHON312)


def environment(aws: Aws, logical: str, **overrides: str) -> dict[str, str]:
    """The function's variables from the template (as the local stack resolves them), aimed at moto.

    Senders are verified in SES first, as the operator does before the first deploy.
    """
    assert aws.stack.moto is not None
    for key, value in aws.stack.functions[logical].environment.items():
        if key.endswith("_SENDER"):
            boto3.client("ses").verify_email_identity(EmailAddress=value)
    return {
        **LOCAL_ENV,
        "AWS_ENDPOINT_URL": aws.stack.moto.url,
        "POWERTOOLS_METRICS_DISABLED": "true",
        "AWS_LAMBDA_FUNCTION_NAME": logical,
        **aws.stack.functions[logical].environment,
        **overrides,
    }


def events_for(logical: str) -> list[dict[str, Any]]:
    """The sample events; a follow-up API event reads the number and code the first one answered."""
    events = sample_events(FOUND[logical])
    for event in events[1:]:
        if (event.get("pathParameters") or {}).get("number"):
            event["pathParameters"]["number"] = "${number}"
            event["path"] = event["path"].rsplit("/", 1)[0] + "/${number}"
            if "X-Access-Code" in event.get("headers", {}):
                event["headers"]["X-Access-Code"] = "${access_code}"
                event["multiValueHeaders"]["X-Access-Code"] = ["${access_code}"]
    return events


def answered(outcome: dict[str, Any]) -> list[str]:
    """What went wrong in a runner's outcome (empty when every event was answered well)."""
    wrong = [f"import failed:\n{outcome['import_error']}"] if "import_error" in outcome else []
    for i, item in enumerate(outcome["results"]):
        result = item.get("result")
        if "error" in item:
            wrong.append(f"event {i} raised:\n{item['error']}")
        elif isinstance(result, dict) and "statusCode" in result and not 200 <= result["statusCode"] < 300:
            wrong.append(f"event {i} answered {result['statusCode']}: {result.get('body')}")
        elif isinstance(result, dict) and result.get("batchItemFailures"):
            wrong.append(f"event {i} failed records {result['batchItemFailures']}")
    if outcome["outside"]:
        wrong.append("imported from outside its folders: " + ", ".join(outcome["outside"][:5]))
    return wrong


def test_sam_builds_every_function_and_layer_with_this_code() -> None:
    template = tpl.load()
    expected = {"BuildMethod": "makefile", "ContextPath": ".", "WorkingDirectory": "."}
    for name in FOUND:
        metadata = template["Resources"][name].get("Metadata") or {}
        assert {k: metadata.get(k) for k in expected} == expected, name
    assert FUNCTIONS and any(r.kind == "layer" for r in FOUND.values())


@needs_312
@pytest.mark.parametrize("logical", FUNCTIONS)
def test_function_answers_its_sample_events_from_its_built_folders(
    aws: Aws, built: Built, tmp_path: Path, logical: str
) -> None:
    events = events_for(logical)
    assert events, f"no sample event in events/{FOUND[logical].source.name}/"
    outcome = built.invoke(logical, events, environment(aws, logical), tmp_path)
    assert answered(outcome) == [], outcome["stderr"][-3000:]
    assert len(outcome["results"]) == len(events)
    assert not set(HEAVY) & set(outcome["modules"]), "a heavy layer's module loaded without need"


@needs_312
@pytest.mark.parametrize("logical", FUNCTIONS)
def test_a_function_has_the_heavy_layers_it_uses_and_only_those(
    aws: Aws, built: Built, tmp_path: Path, logical: str
) -> None:
    """Sectors' geometry in the functions with GeoLayer, Web Push in those with WebPushLayer; the
    others do not ship them (their code reaches those libraries only through lazy imports)."""
    events = [{"use": "geo"}, {"use": "webpush"}]
    probe = [str(Path(__file__).with_name("layer_probe"))]
    outcome = built.invoke(logical, events, environment(aws, logical), tmp_path, "layer_probe.handler", probe)
    assert "import_error" not in outcome, outcome["import_error"]
    geo, push = outcome["results"]
    layers = FOUND[logical].layers
    if "GeoLayer" in layers:
        assert geo == {"result": {"geo": True}}, geo
    else:
        assert "No module named 'shapely'" in geo["error"], geo
    if "WebPushLayer" in layers:
        assert push == {"result": {"webpush": "push_service_unreachable"}}, push
    else:
        assert (
            "No module named 'pywebpush'" in push["error"] or "No module named 'py_vapid'" in push["error"]
        ), push
    assert outcome["outside"] == []


@needs_312
@pytest.mark.parametrize(("engine", "absent"), [("opensearch", "tantivy"), ("tantivy", "opensearchpy")])
def test_the_api_imports_only_the_search_engine_it_is_configured_with(
    aws: Aws, built: Built, tmp_path: Path, engine: str, absent: str
) -> None:
    env = environment(aws, "ApiFunction", HELP_SEARCH_ENGINE=engine)
    outcome = built.invoke("ApiFunction", events_for("ApiFunction")[:1], env, tmp_path)
    assert answered(outcome) == [], outcome["stderr"][-3000:]
    assert absent not in outcome["modules"]


def test_an_incomplete_or_untested_package_list_is_refused(tmp_path: Path) -> None:
    def dist(name: str, version: str, *requires: str) -> None:
        info = tmp_path / f"{name}-{version}.dist-info"
        info.mkdir()
        lines = [f"Name: {name}", f"Version: {version}", *(f"Requires-Dist: {r}" for r in requires)]
        (info / "METADATA").write_text("Metadata-Version: 2.1\n" + "\n".join(lines) + "\n")

    dist(
        "pydantic",
        "2.13.5",
        "pydantic-core==2.46.5",
        "annotated-types>=0.6.0",
        "tomli; python_version<'3.11'",
    )
    dist("annotated-types", "0.0.1")
    dist("opensearch-py", "3.2.0", "opensearch-protobufs==1.2.0")  # its gRPC transport: never imported
    dist("never-tested", "1.0")
    found = wheels.problems([tmp_path], wheels.LAMBDA)
    assert found == [
        "annotated-types ships 0.0.1 but the tests run 0.8.0",
        "never-tested 1.0 is not installed where the tests run",
        "pydantic 2.13.5 needs pydantic-core==2.46.5: not shipped",
    ]
    dist("pydantic-core", "2.46.5", "typing-extensions>=4.14.1")
    dist("typing-extensions", "4.16.0")
    assert "pydantic 2.13.5 needs pydantic-core==2.46.5: not shipped" not in wheels.problems(
        [tmp_path], wheels.LAMBDA
    )


def test_the_shipped_artifacts_are_arm64_python312_and_under_the_size_limit(tmp_path: Path) -> None:
    folders = {name: assemble(name, tmp_path / name, wheels.LAMBDA, None, FOUND) for name in FOUND}
    rows = sizes(folders, FOUND)
    print("\n" + table(rows))  # the figures `make build` prints, for this test's log (pytest -s)
    assert {row.function for row in rows} == set(FUNCTIONS)
    for row in rows:  # each function with its own layers, unzipped, as Lambda counts it
        assert row.own > 0 and 0 < row.total <= LIMIT - MARGIN, f"{row.function}:\n{table(rows)}"
    tags = set()
    for name, folder in folders.items():
        for wheel in folder.rglob("*.dist-info/WHEEL"):
            tags |= {
                line.split(": ", 1)[1] for line in wheel.read_text().splitlines() if line.startswith("Tag: ")
            }
        assert not any(p.suffix == ".so" and "x86_64" in p.name for p in folder.rglob("*.so")), name
    binary = {t for t in tags if not t.endswith("-none-any")}
    assert binary and all(t.split("-")[2].endswith("_aarch64") for t in binary), binary
    assert all(t.split("-")[0] in {"cp312", "cp311", "cp39", "cp38", "cp37"} for t in binary), binary
    assert {t.split("-")[1] for t in binary} <= {"cp312", "abi3"}, binary
    assert unzipped(folders["CoreLayer"] / "python" / "ventanilla") > 0
    assert not (folders["CoreLayer"] / "python" / "grpc").exists()
    assert not (folders["CoreLayer"] / "python" / "phonenumbers" / "geodata").exists()  # UNUSED_FILES
    for module, layer in HEAVY.items():  # only the functions that import it carry it
        assert (folders[layer] / "python" / module).is_dir(), module
        assert not (folders["CoreLayer"] / "python" / module).exists(), module
