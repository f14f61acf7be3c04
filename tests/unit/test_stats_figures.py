"""Pure statistics rules: histogram buckets, quantiles, goal compliance, backlog by day and age,
goal validation, and the report's SVG charts escaping what they show."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ventanilla.models.stats import GoalIn
from ventanilla.stats import figures as f
from ventanilla.stats import svg
from ventanilla.stats.keys import HIST_EDGES, Dims, bucket_of, has_months, slice_key, slice_views, slices_of


def test_buckets_are_inclusive_upper_edges() -> None:
    assert bucket_of(0) == "1" and bucket_of(3600) == "1" and bucket_of(3601) == "2"
    assert bucket_of(48 * 3600 + 1) == "50" and bucket_of(960 * 3600) == "960"
    assert bucket_of(960 * 3600 + 1) == "inf"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 1_100 * 3600), min_size=1, max_size=60), st.sampled_from([0.5, 0.9]))
def test_quantile_is_the_bucket_of_the_exact_quantile(values: list[int], q: float) -> None:
    hist: dict[str, int] = {}
    for v in values:
        hist[bucket_of(v)] = hist.get(bucket_of(v), 0) + 1
    ordered = f.histogram({f"frh#{k}": n for k, n in hist.items()}, "frh")
    rank = next(i for i in range(1, len(values) + 1) if i >= q * len(values))
    exact = sorted(values)[rank - 1]
    bucket = bucket_of(exact)
    assert f.quantile_hours(ordered, q) == (961 if bucket == "inf" else int(bucket))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 1_100 * 3600), max_size=60), st.sampled_from(HIST_EDGES))
def test_goal_compliance_counts_exactly_what_is_within_the_threshold(values: list[int], edge: int) -> None:
    c: dict[str, int] = {}
    for v in values:
        c[f"resh#{bucket_of(v)}"] = c.get(f"resh#{bucket_of(v)}", 0) + 1
    result = f.compliance("m", c, "resolution", edge)
    assert result.total == len(values)
    assert result.met == sum(1 for v in values if v <= edge * 3600)


def test_no_data_is_none_not_zero() -> None:
    assert f.quantile_hours({}, 0.5) is None
    assert f.pct(0, 0) is None
    assert f.time_figures({}, "frh").median_hours is None


def test_backlog_at_end_of_each_day_walks_back_from_today() -> None:
    rows = {
        "D#2026-11-01": {"net_open": 3},
        "D#2026-11-02": {"net_open": -1},
        "D#2026-11-04": {"net_open": 2},
    }
    days = ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert f.backlog_at_end_of(days, rows, open_now=10) == {"2026-11-01": 9, "2026-11-02": 8, "2026-11-03": 8}


def test_backlog_by_age_buckets() -> None:
    now = {"age#2026-11-30": 2, "age#2026-11-20": 1, "age#2026-01-01": 4, "age#2026-11-29": 0}
    ages = f.backlog_by_age(now, date(2026, 12, 1))
    assert ages == {"0-2": 2, "3-7": 0, "8-14": 1, "15-30": 0, "31-60": 0, ">60": 4}


def test_slices_cover_every_filter_combination_and_break_down_by_what_they_do_not_fix() -> None:
    dims = Dims("reclamo", "servicio", "web", "atencion", "high")
    found = slices_of(dims)
    assert len(found) == len(set(found)) == 8
    assert slice_key({"channel": "web", "type": "reclamo", "team": "atencion"}) in found
    assert slice_key({}) == "all"
    views = dict(slice_views(dims))
    assert views["all"] == ("type", "subtype", "channel", "team", "priority")
    assert views["type=reclamo"] == ("subtype", "channel", "team", "priority")
    assert views["type=reclamo&team=atencion&channel=web"] == ("subtype", "priority")
    assert [s for s in found if has_months(s)] == ["all", "type=reclamo"]


def test_a_filtered_breakdown_shows_the_fixed_dimension_as_its_one_value() -> None:
    c = {"created": 3, "created@team=a": 2, "created@team=b": 1, "res_n": 2, "res_met": 1, "res_n@team=a": 2}
    c |= {"res_met@team=a": 1}
    parts = f.breakdown(c, {"type": "reclamo"})
    assert parts["type"] == {"reclamo": {"created": 3, "res_n": 2, "res_met": 1}}
    assert parts["team"] == {"a": {"created": 2, "res_n": 2, "res_met": 1}, "b": {"created": 1}}
    met = f.met_by(c, fixed={"type": "reclamo"})
    assert met["type"]["reclamo"]["resolution"].pct == 50.0 and met["team"]["a"]["resolution"].met == 1
    assert f.breakdown({}, {"type": "reclamo"}) == {}  # nothing counted: no row for the filter either
    now = {"open": 2, "open@team=a": 1, "open@team=b": 1, "open@team=c": 0}
    assert f.backlog_by(now, {"type": "reclamo"}) == {"team": {"a": 1, "b": 1}, "type": {"reclamo": 2}}


def test_time_in_status_is_in_business_hours_and_wall_clock_hours() -> None:
    c = {"tis_n#received": 2, "tis_s#received": 2 * 24 * 3600, "tis_bs#received": 2 * 9 * 3600}
    assert f.time_in_status_hours(c) == {"received": 9.0}
    assert f.time_in_status_hours(c, business=False) == {"received": 24.0}


def test_goal_threshold_must_be_a_bucket_edge() -> None:
    body = {"name": {"es": "Meta"}, "type_code": "consulta", "threshold_hours": 49, "target_pct": 90}
    with pytest.raises(ValidationError) as error:
        GoalIn.model_validate(body)
    assert "48" in str(error.value) and "50" in str(error.value)
    assert GoalIn.model_validate({**body, "threshold_hours": 90}).threshold_hours == 90


def test_svg_escapes_labels() -> None:
    chart = svg.bars("<script>", ["a&b"], [3])
    assert "<script>" not in chart and "&lt;script&gt;" in chart and "a&amp;b" in chart


def test_goal_compliance_counts_the_unanswered_as_missed_and_their_late_answers_once() -> None:
    # 3 answered in 4 h, 2 due unanswered (one answered later, in 40 h), threshold 48 h
    c = {"frh#4": 3, "frh#40": 1, "frl#40": 1, "fr_miss": 2}
    got = f.compliance("2026-11", c, "first_response", 48)
    assert (got.total, got.met, got.pct) == (5, 3, 60.0)
    # the same requests before the late answer came: the same figure
    before = f.compliance("2026-11", {"frh#4": 3, "fr_miss": 2}, "first_response", 48)
    assert (before.total, before.met) == (5, 3)
    assert f.compliance("x", {"resh#8": 1, "res_miss": 1}, "resolution", 8).pct == 50.0


def test_the_deflection_rate_is_deflected_over_attempts() -> None:
    assert f.deflection_pct(1, 5) == 20.0
    assert f.deflection_pct(0, 0) is None
    assert f.deflection_pct(3, 2) == 100.0  # never above 100 (days counted before attempts were)
