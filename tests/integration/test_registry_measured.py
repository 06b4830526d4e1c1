"""Validation on recorded performance: a floor judged on the window's mean, a ceiling on its
95th percentile (cross-checked with numpy), the version's own points before the model's, the
window's edges, a metric without points a failed requirement, and the refusals."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from governance.auth.roles import Role
from governance.errors import ValidationError
from governance.registry import performance
from governance.registry import service as registry
from tests.factories import make_model, make_version
from tests.integration.test_cli import cli, create

NOW = datetime.now(UTC)


@pytest.fixture
def dana(make_user):
    return make_user(Role.DATA_SCIENTIST, "dana")


def _record(workbench, user, model, metric, values, *, version=None, days_ago=1.0):
    points = [
        {"metric": metric, "value": float(v), "version": version,
         "timestamp": (NOW - timedelta(days=days_ago, seconds=i)).isoformat()}
        for i, v in enumerate(values)
    ]  # fmt: skip
    workbench.run(performance.record_points, actor=user.actor(), model=model, points=points)


def _validate(workbench, user, version, days=30, **kw):
    return workbench.run(registry.validate_version, actor=user.actor(), version_id=version.id,
                         window_days=days, reason="nightly check", **kw)  # fmt: skip


def _by_name(report):
    return {r["name"]: r for r in report.requirements}


def test_a_floor_is_judged_on_the_mean_and_a_ceiling_on_the_95th_percentile(workbench, dana):
    model = make_model(workbench, by=dana, name="scorer")  # accuracy >= 0.85; latency_ms <= 300
    version = make_version(workbench, model.name, maker=dana, version="1.0.0")
    rng = np.random.default_rng(3)
    accuracy = rng.uniform(0.84, 0.98, 500)
    latency = rng.gamma(4.0, 50.0, 700)  # a long right tail
    _record(workbench, dana, "scorer", "accuracy", accuracy, version="1.0.0")
    _record(workbench, dana, "scorer", "latency_ms", latency, version="1.0.0")

    report = _validate(workbench, dana, version)
    got = _by_name(report)
    assert got["accuracy"]["observed"] == pytest.approx(accuracy.mean())
    p95 = float(np.percentile(latency, 95, method="inverted_cdf"))  # nearest rank
    assert got["latency_ms"]["observed"] == pytest.approx(p95)
    assert p95 > latency.mean() * 1.3  # the tail a mean would hide
    assert got["latency_ms"]["passed"] is bool(p95 <= 300)
    assert got["accuracy"]["passed"] is bool(accuracy.mean() >= 0.85)
    assert "95th percentile of 700 points" in got["latency_ms"]["evidence"]
    assert "mean of 500 points" in got["accuracy"]["evidence"]
    assert "30 days, this version's points" in got["accuracy"]["evidence"]
    assert report.passed is bool(p95 <= 300 and accuracy.mean() >= 0.85)


def test_points_outside_the_window_or_of_another_version_are_not_counted(workbench, dana):
    model = make_model(workbench, by=dana, name="scorer")
    make_version(workbench, model.name, maker=dana, version="1.0.0")
    version = make_version(workbench, model.name, maker=dana, version="1.1.0")
    _record(workbench, dana, "scorer", "accuracy", [0.9] * 20, version="1.1.0", days_ago=2)
    _record(workbench, dana, "scorer", "accuracy", [0.1] * 20, version="1.1.0", days_ago=9)
    _record(workbench, dana, "scorer", "accuracy", [0.2] * 20, version="1.0.0", days_ago=2)
    _record(workbench, dana, "scorer", "accuracy", [0.3] * 20, days_ago=2)  # no version named
    _record(workbench, dana, "scorer", "latency_ms", [100] * 5, version="1.1.0", days_ago=2)

    got = _by_name(_validate(workbench, dana, version, days=7))
    assert got["accuracy"]["observed"] == pytest.approx(0.9)
    assert "mean of 20 points" in got["accuracy"]["evidence"]
    got = _by_name(_validate(workbench, dana, version, days=10))
    assert got["accuracy"]["observed"] == pytest.approx(0.5)  # both weeks of 1.1.0's own


def test_a_version_no_point_names_is_judged_on_the_models_points(workbench, dana):
    model = make_model(workbench, by=dana, name="scorer")
    version = make_version(workbench, model.name, maker=dana, version="1.0.0")
    _record(workbench, dana, "scorer", "accuracy", [0.88, 0.92])
    _record(workbench, dana, "scorer", "latency_ms", [150, 250])
    report = _validate(workbench, dana, version)
    got = _by_name(report)
    assert got["accuracy"]["observed"] == pytest.approx(0.90)
    assert got["latency_ms"]["observed"] == 250
    assert "the model's points" in got["accuracy"]["evidence"]
    assert report.passed
    assert workbench.run(registry.get_version, actor=dana.actor(), model="scorer",
                         version="1.0.0").status == "validated"  # fmt: skip


def test_a_metric_without_points_fails_its_requirement_and_changes_no_status(workbench, dana):
    model = make_model(workbench, by=dana, name="scorer")
    version = make_version(workbench, model.name, maker=dana, version="1.0.0")
    _record(workbench, dana, "scorer", "accuracy", [0.95])
    report = _validate(workbench, dana, version)
    got = _by_name(report)
    assert not report.passed
    assert got["latency_ms"]["observed"] is None and not got["latency_ms"]["passed"]
    assert got["latency_ms"]["evidence"].startswith("no latency_ms points")
    assert workbench.run(registry.get_version, actor=dana.actor(), model="scorer",
                         version="1.0.0").status == "draft"  # fmt: skip


@pytest.mark.parametrize("days", [0, -3, 400, 2.5, True])
def test_a_window_out_of_range_is_refused_and_nothing_stored(workbench, dana, days):
    model = make_model(workbench, by=dana, name="scorer")
    version = make_version(workbench, model.name, maker=dana, version="1.0.0")
    with pytest.raises(ValidationError, match="Window: a whole number of days"):
        _validate(workbench, dana, version, days=days)
    assert workbench.run(registry.list_validations, actor=dana.actor(),
                         version_id=version.id) == []  # fmt: skip


def test_observed_values_and_a_window_together_are_refused(workbench, dana):
    model = make_model(workbench, by=dana, name="scorer")
    version = make_version(workbench, model.name, maker=dana, version="1.0.0")
    with pytest.raises(ValidationError, match="either the observed values or a window"):
        _validate(workbench, dana, version, observed={"accuracy": 0.9, "latency_ms": 1})
    with pytest.raises(ValidationError, match="either the observed values or a window"):
        _validate(workbench, dana, version, days=None)


def test_the_cli_validates_on_recorded_performance(sqlite_url, tmp_path):
    assert create(sqlite_url, "root", "admin").returncode == 0
    assert create(sqlite_url, "sci", "data_scientist").returncode == 0

    def run(*args: str):
        return cli(sqlite_url, "registry", "--actor", "sci", *args)

    steps = [
        ("register", "scorer", "--provider", "in-house", "--risk-tier", "limited",
         "--intended-use", "Loans", "--baseline", "accuracy >= 0.8"),
        ("add-version", "scorer", "1.0.0", "--changelog", "first", "--artifact-uri", "s3://m",
         "--sha256", "ab" * 32),
    ]  # fmt: skip
    for step in steps:
        assert run(*step).returncode == 0
    points = tmp_path / "p.csv"
    stamp = (NOW - timedelta(hours=3)).isoformat()
    points.write_text(f"metric,value,timestamp\naccuracy,0.82,{stamp}\naccuracy,0.9,{stamp}\n")
    assert run("performance-import", "scorer", str(points)).returncode == 0
    done = run("validate", "scorer", "1.0.0", "--window-days", "30", "--reason", "nightly",
               "--format", "json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    [requirement] = json.loads(done.stdout)["requirements"]
    assert requirement["observed"] == pytest.approx(0.86) and requirement["passed"]
    both = run("validate", "scorer", "1.0.0", "--window-days", "30", "--observed", "accuracy=1",
               "--reason", "x")  # fmt: skip
    assert both.returncode == 2 and "not allowed with" in both.stderr
