"""The metrics provider bills only the catalog's billed figures; the others go to one log line."""

from __future__ import annotations

import json

import pytest


@pytest.fixture()
def on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Ventanilla")


def lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_a_billed_figure_is_an_emf_metric_and_the_others_one_counts_line(
    on: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from ventanilla import emf

    metrics = emf.metrics("sla-fired")
    metrics.add_metric(name="SlaBreaches", unit="Count", value=1)
    metrics.add_metric(name="SlaStaleTimers", unit="Count", value=2)
    metrics.add_metric(name="SlaStaleTimers", unit="Count", value=1)
    metrics.add_metric(name="SlaWarnings", unit="Count", value=0)  # nothing to say
    metrics.add_metric(name="NotInTheCatalog", unit="Count", value=1)  # never billed by mistake
    metrics.flush_metrics()
    counts, doc = lines(capsys.readouterr().out)
    assert counts == {
        "message": "counts",
        "service": "sla-fired",
        "counts": {"NotInTheCatalog": 1, "SlaStaleTimers": 3},
    }
    [directive] = doc["_aws"]["CloudWatchMetrics"]  # type: ignore[index]
    assert [m["Name"] for m in directive["Metrics"]] == ["SlaBreaches"]
    assert directive["Namespace"] == "Ventanilla" and doc["service"] == "sla-fired"  # type: ignore[index]
    assert "SlaStaleTimers" not in doc

    metrics.flush_metrics()  # flushed: nothing again
    assert capsys.readouterr().out == ""


def test_only_unbilled_figures_print_no_emf_document_and_no_warning(
    on: None, capsys: pytest.CaptureFixture[str], recwarn: pytest.WarningsRecorder
) -> None:
    from ventanilla import emf

    metrics = emf.metrics("stream")
    metrics.add_metric(name="DomainEventsPublished", unit="Count", value=4)
    metrics.flush_metrics()
    assert lines(capsys.readouterr().out) == [
        {"message": "counts", "service": "stream", "counts": {"DomainEventsPublished": 4}}
    ]
    assert not [w for w in recwarn if "No application metrics" in str(w.message)]


def test_switched_off_metrics_write_no_counts_either(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ventanilla import emf

    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    metrics = emf.metrics("sla-fired")
    metrics.add_metric(name="SlaStaleTimers", unit="Count", value=4)
    metrics.add_metric(name="SlaBreaches", unit="Count", value=1)
    metrics.flush_metrics()
    assert capsys.readouterr().out == ""
    # nothing kept either: switched on later, a flush sends only what came after
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    metrics.add_metric(name="SlaBreaches", unit="Count", value=1)
    metrics.flush_metrics()
    [doc] = lines(capsys.readouterr().out)
    assert doc["SlaBreaches"] == [1.0]


def test_by_channel_bills_sent_and_failed_and_logs_the_rest(
    on: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from ventanilla import observability

    observability.emit_by_channel(
        {
            ("NotificationsSent", "email"): 2,
            ("NotificationsRetried", "sms"): 1,
            ("NotificationsBlocked", "sms"): 0,
            ("NotificationsDuplicatesSkipped", "email"): 1,
        },
        "notifier",
    )
    counts, doc = lines(capsys.readouterr().out)
    assert counts["counts"] == {
        "NotificationsDuplicatesSkipped": {"email": 1},
        "NotificationsRetried": {"sms": 1},
    }
    assert doc["channel"] == "email" and doc["NotificationsSent"] == [2.0]  # type: ignore[index]


def test_the_names_functions_build_are_in_the_catalog() -> None:
    """Some handlers build a figure's name (bounces: ``Proactive_<figure>``; proactive:
    ``Alert<Outcome>``; attachments): each is listed, so the catalog says what every function counts."""
    from pathlib import Path

    from ventanilla.observability import CATALOG
    from ventanilla.services.proactive_figures import _FIGURE

    built = {f"Proactive_{figure}" for figure in _FIGURE.values()}
    built |= {f"Alert{outcome.capitalize()}" for outcome in ("sent", "failed", "skipped")}
    built |= {"AttachmentsAccepted", "AttachmentsRejected"}
    assert built <= set(CATALOG), sorted(built - set(CATALOG))
    root = Path(__file__).resolve().parents[2] / "functions"
    proactive = (root / "proactive" / "handler.py").read_text()
    assert 'for name in ("sent", "failed", "skipped")' in proactive
    assert 'f"Alert{name.capitalize()}"' in proactive
    assert 'f"Proactive_{figure}"' in (root / "bounces" / "handler.py").read_text()
