"""A validation weighs the version's latest linked fairness assessment, on both backends: its
verdict and its disparate impact ratio become requirements with the assessment as evidence."""

from __future__ import annotations

from pathlib import Path

from governance.auth.roles import Role
from governance.fairness import service as fairness
from governance.fairness.engine import assess_file
from governance.fairness.spec import AssessmentSpec
from governance.registry import service as registry
from tests.factories import PASSING, make_model, make_version

SPEC = AssessmentSpec(y_true="label", y_pred="prediction", sensitive=("group",))


def _save(workbench, who, path: Path, model: str, version: str) -> int:
    return workbench.run(fairness.save_assessment, actor=who.actor(),
                         result=assess_file(path, SPEC), source=path, model_name=model,
                         model_version=version)  # fmt: skip


def _file(tmp_path: Path, name: str, rows: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("label,prediction,group\n" + "\n".join(rows * 50) + "\n")
    return path


def _validate(workbench, who, version_id: int):
    return workbench.run(registry.validate_version, actor=who.actor(), version_id=version_id,
                         observed=PASSING, reason="release check")  # fmt: skip


def test_the_latest_linked_assessment_decides_the_fairness_requirements(
    workbench, make_user, tmp_path
):
    sci = make_user(Role.DATA_SCIENTIST, "sci")
    model = make_model(workbench, by=sci)
    v = make_version(workbench, model.name, maker=sci, version="1.0.0")
    unfair = _file(tmp_path, "unfair.csv", ["1,1,a", "0,1,a", "1,1,b", "0,0,b"])  # DI 0.5
    fair = _file(tmp_path, "fair.csv", ["1,1,a", "0,0,a", "1,1,b", "0,0,b"])  # DI 1.0
    first = _save(workbench, sci, unfair, model.name, "1.0.0")

    failed = _validate(workbench, sci, v.id)
    fairness_rows = {r["name"]: r for r in failed.requirements[2:]}
    assert not failed.passed and set(fairness_rows) == {
        "fairness verdict",
        "disparate impact ratio",
    }
    assert fairness_rows["disparate impact ratio"]["observed"] == 0.5
    assert fairness_rows["fairness verdict"]["evidence"] == f"fairness assessment #{first}"
    assert fairness_rows["disparate impact ratio"]["evidence"] == (
        f"fairness assessment #{first}, lowest at group = b"
    )
    assert all(not r["passed"] for r in fairness_rows.values())
    assert [r["passed"] for r in failed.requirements[:2]] == [True, True]  # the baseline
    again = registry.get_version
    assert workbench.run(again, actor=sci.actor(), model=model.name, version="1.0.0").status == (
        "draft"
    )

    second = _save(workbench, sci, fair, model.name, "1.0.0")
    passed = _validate(workbench, sci, v.id)
    assert passed.passed
    assert {r["evidence"].split(",")[0] for r in passed.requirements[2:]} == {
        f"fairness assessment #{second}"
    }
    assert workbench.run(again, actor=sci.actor(), model=model.name, version="1.0.0").status == (
        "validated"
    )


def test_a_version_no_assessment_names_is_judged_by_its_baseline(workbench, make_user, tmp_path):
    sci = make_user(Role.DATA_SCIENTIST, "sci")
    model = make_model(workbench, by=sci)
    make_version(workbench, model.name, maker=sci, version="1.0.0")
    other = make_version(workbench, model.name, maker=sci, version="2.0.0")
    unfair = _file(tmp_path, "unfair.csv", ["1,1,a", "0,1,a", "1,1,b", "0,0,b"])
    _save(workbench, sci, unfair, model.name, "1.0.0")  # another version's evidence
    report = _validate(workbench, sci, other.id)
    assert report.passed and [r["name"] for r in report.requirements] == [
        "accuracy",
        "latency_ms",
    ]


def test_the_lowest_ratio_of_any_grouping_decides_not_only_the_first(
    workbench, make_user, tmp_path
):
    sci = make_user(Role.DATA_SCIENTIST, "sci")
    model = make_model(workbench, by=sci)
    v = make_version(workbench, model.name, maker=sci, version="1.0.0")
    path = tmp_path / "two.csv"
    # By group both select half (ratio 1.0); by region north selects all, south a third.
    rows = ["1,1,a,north", "0,1,b,north", "1,1,a,south", "0,0,b,south", "0,0,a,south",
            "1,0,b,north", "1,0,a,south", "0,1,b,north"]  # fmt: skip
    path.write_text("label,prediction,group,region\n" + "\n".join(rows * 50) + "\n")
    spec = AssessmentSpec(y_true="label", y_pred="prediction", sensitive=("group", "region"))
    result = assess_file(path, spec)
    by_region = next(r for r in result.results if r.sensitive_features == ["region"])
    expected = min(g.disparate_impact for g in by_region.groups if g.sufficient)
    workbench.run(fairness.save_assessment, actor=sci.actor(), result=result, source=path,
                  model_name=model.name, model_version="1.0.0")  # fmt: skip
    report = _validate(workbench, sci, v.id)
    [ratio] = [r for r in report.requirements if r["name"] == "disparate impact ratio"]
    assert ratio["observed"] == expected and expected < 0.8
    assert ratio["evidence"].endswith("lowest at region = south")
    assert not ratio["passed"]
