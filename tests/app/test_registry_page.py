"""The model registry page: the list and its filters, a model's detail, and every form."""

from __future__ import annotations

import pytest

from governance.auth.roles import Role
from governance.registry import service as registry
from tests import factories
from tests.app.support import REGISTRY, messages, ok, open_page, shown, signed_in, titles

pytestmark = pytest.mark.app


@pytest.fixture
def dana(make_user):
    return make_user(Role.DATA_SCIENTIST, "dana")


@pytest.fixture
def carla(make_user):
    return make_user(Role.COMPLIANCE_OFFICER, "carla")


def _page(username: str, model: str | None = None):
    at = signed_in(username)
    if model is not None:
        at.query_params["model"] = model
    open_page(at, REGISTRY)
    assert titles(at) == ["Model registry"], messages(at, "error")
    return at


def _gen(at) -> int:
    # AppTest's session state has no .get().
    return at.session_state["reg_form_gen"] if "reg_form_gen" in at.session_state else 0  # noqa: SIM401


def _field(at, kind: str, base: str):
    return getattr(at, kind)(key=f"{base}_{_gen(at)}")


def _button(at, label: str):
    [button] = [b for b in at.button if b.label == label]
    return button


def _labels(at) -> set[str]:
    return {b.label for b in at.button}


def _list_table(at):
    [table] = [df.value for df in at.dataframe if "Model" in df.value.columns]
    return table


def _model(workbench, by, **kw):
    return factories.make_model(workbench, by=by, **kw)


def _version(workbench, model, maker, **kw):
    return factories.make_version(workbench, model, maker=maker, **kw)


def test_list_shows_each_model_with_its_latest_version(workbench, dana, carla):
    _model(workbench, dana, name="scorer")
    _version(workbench, "scorer", dana, version="1.2.0", to="validated")
    _version(workbench, "scorer", dana, version="1.10.0")
    _model(workbench, dana, name="triage", risk_tier="high")

    at = _page("dana")

    table = _list_table(at)
    assert list(table["Model"]) == ["scorer", "triage"]
    row = table.iloc[0]
    assert (row["Latest version"], row["Status"], row["Owner"]) == ("1.10.0", "Draft", "dana")
    assert table.iloc[1]["Latest version"] == "—"
    assert any(b.label == "CSV" for b in at.get("download_button"))


def test_filters_and_search_narrow_the_list(workbench, dana):
    _model(workbench, dana, name="scorer")
    _model(workbench, dana, name="triage", risk_tier="high")
    at = _page("dana")

    ok(at.multiselect(key="reg_f_tier").set_value(["high"]).run())
    assert list(_list_table(at)["Model"]) == ["triage"]

    ok(at.multiselect(key="reg_f_tier").set_value([]).run())
    ok(at.text_input(key="reg_search").input("SCO").run())
    assert list(_list_table(at)["Model"]) == ["scorer"]

    ok(at.text_input(key="reg_search").input("nothing like it").run())
    assert messages(at, "info")[0].startswith("No model matches these filters")


def test_a_long_list_draws_its_first_rows_and_says_how_many_match(workbench, dana, monkeypatch):
    from ui.registry import listing

    monkeypatch.setattr(listing, "SHOWN_LIMIT", 2)  # 500 on the page; three models here
    for name in ("alpha", "beta", "gamma"):
        _model(workbench, dana, name=name)
    at = _page("dana")

    assert list(_list_table(at)["Model"]) == ["alpha", "beta"]
    captions = " ".join(c.value for c in at.caption)
    assert "The first 2 (by name) of 3 matching models, of 3 in all" in captions
    # Any model opens from the picker, drawn in the table or not.
    [picker] = [s for s in at.selectbox if s.label == "Open a model"]
    assert picker.options[1:] == ["alpha", "beta", "gamma"]
    ok(at.text_input(key="reg_search").input("gam").run())
    assert list(_list_table(at)["Model"]) == ["gamma"]
    assert "1 of 3 models" in " ".join(c.value for c in at.caption)


def test_empty_registry_says_who_registers_and_how(admin, make_user):
    make_user(Role.EXECUTIVE, "erin")
    at = _page("erin")

    [info] = messages(at, "info")
    assert "Data scientists and administrators register models" in info
    assert "registry register" in at.code[0].value
    assert "Register model" not in _labels(at)  # no form for a role without register rights


def test_register_a_model_through_the_form(store, dana):
    at = _page("dana")
    assert "Register model" in _labels(at)
    _field(at, "text_input", "reg_new_name").input("credit-scorer")
    _field(at, "text_area", "reg_new_use").input("Ranks loan applications.")
    _field(at, "text_input", "reg_new_baseline").input("accuracy >= 0.8")
    ok(_button(at, "Register model").click().run())

    assert messages(at, "error") == []
    assert messages(at, "success") == [
        "Registered credit-scorer (owner: you). Add its first version next."
    ]
    assert list(_list_table(at)["Model"]) == ["credit-scorer"]
    assert _field(at, "text_input", "reg_new_name").value == ""  # the form emptied


def test_a_refused_registration_is_a_message_and_keeps_the_input(workbench, dana):
    _model(workbench, dana, name="scorer")
    at = _page("dana")
    _field(at, "text_input", "reg_new_name").input("SCORER")
    _field(at, "text_area", "reg_new_use").input("Again.")
    ok(_button(at, "Register model").click().run())

    [error] = messages(at, "error")
    assert "already registered" in error
    assert _field(at, "text_input", "reg_new_name").value == "SCORER"


def test_a_link_opens_the_detail_with_its_tabs(workbench, dana):
    _model(workbench, dana, name="scorer")
    _version(workbench, "scorer", dana, version="1.0.0", to="validated")
    at = _page("dana", model="SCORER")

    assert [h.value for h in at.header] == ["scorer"]
    assert [t.label for t in at.tabs] == [
        "Overview", "Versions and lifecycle", "Approvals", "Validation", "Deployments",
        "Performance", "Fairness", "Model card",
    ]  # fmt: skip
    text = "\n".join(m.value for m in at.markdown)
    assert "History of 1\\.0\\.0" in text
    assert "Draft → Validated" in shown(text)
    assert "nightly evaluation" in text
    assert at.query_params["model"] in ("scorer", ["scorer"])


def test_add_a_version_then_validate_then_submit(store, workbench, dana):
    _model(workbench, dana, name="scorer")
    at = _page("dana", model="scorer")

    _field(at, "text_input", "reg_v_version").input("2.0.0")
    _field(at, "text_input", "reg_v_uri").input("s3://models/scorer.onnx")
    _field(at, "text_input", "reg_v_sha").input(factories.SHA)
    _field(at, "text_area", "reg_v_changelog").input("First.")
    ok(_button(at, "Add version").click().run())
    assert messages(at, "success") == [
        "Added version 2.0.0 of scorer as a draft. Validate it next."
    ]

    [v] = workbench.run(registry.list_versions, actor=dana.actor(), model="scorer")
    _field(at, "number_input", f"reg_obs_{v.id}_accuracy").set_value(0.91)
    _field(at, "number_input", f"reg_obs_{v.id}_latency_ms").set_value(100.0)
    _field(at, "text_area", f"reg_val_reason_{v.id}").input("holdout 2026")
    ok(_button(at, "Record validation").click().run())
    assert messages(at, "success") == ["Validation of 2.0.0 recorded: it passed."]

    _field(at, "text_area", f"reg_submit_reason_{v.id}").input("ready for review")
    ok(_button(at, "Submit for approval").click().run())
    assert messages(at, "success") == [
        "Submitted 2.0.0 for approval: a compliance officer or an administrator other than "
        "its owner decides next."
    ]
    [v] = workbench.run(registry.list_versions, actor=dana.actor(), model="scorer")
    assert v.status == "pending_approval"


def test_validate_a_version_on_its_recorded_performance(workbench, dana):
    from datetime import UTC, datetime, timedelta

    from governance.registry import performance

    _model(workbench, dana, name="scorer")
    v = _version(workbench, "scorer", dana, version="1.0.0")
    stamp = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    points = [{"metric": "accuracy", "value": 0.9, "timestamp": stamp},
              {"metric": "latency_ms", "value": 140.0, "timestamp": stamp}]  # fmt: skip
    workbench.run(performance.record_points, actor=dana.actor(), model="scorer", points=points)

    at = _page("dana", model="scorer")
    _field(at, "selectbox", f"reg_val_days_{v.id}").select(7)
    _field(at, "text_area", f"reg_val_why_{v.id}").input("weekly check")
    ok(_button(at, "Validate on recorded performance").click().run())
    assert messages(at, "success") == ["Validation of 1.0.0 recorded: it passed."]
    [report] = workbench.run(registry.list_validations, actor=dana.actor(), version_id=v.id)
    evidence = {r["name"]: r["evidence"] for r in report.requirements}
    assert evidence["latency_ms"].startswith("95th percentile of 1 point (")
    assert "7 days" in evidence["accuracy"]
    shown = [df.value for df in at.dataframe if "Evidence" in df.value.columns]
    assert shown and list(shown[0]["Evidence"]) == [evidence["accuracy"], evidence["latency_ms"]]


def test_a_reviewer_approves(workbench, dana, carla):
    _model(workbench, dana, name="scorer")
    v = _version(workbench, "scorer", dana, version="1.0.0", to="pending_approval")
    at = _page("carla", model="scorer")

    _field(at, "text_area", f"reg_decide_notes_{v.id}").input("meets the policy")
    ok(_button(at, "Approve").click().run())

    assert messages(at, "error") == []
    assert messages(at, "success") == [
        "1.0.0 of scorer: your approval is recorded; it is now approved."
    ]


def test_no_decision_buttons_for_the_owner_or_the_requester(workbench, admin, dana):
    # The administrator may approve by role, but owns this model; dana submitted it.
    _model(workbench, dana, name="scorer", owner=admin)
    _version(workbench, "scorer", dana, version="1.0.0", to="pending_approval")

    owner = _page("admin", model="scorer")
    assert "Approve" not in _labels(owner) and "Reject" not in _labels(owner)
    assert any("You own this model" in c.value for c in owner.caption)

    requester = _page("dana", model="scorer")
    assert "Approve" not in _labels(requester)


def test_a_stale_approval_is_refused_as_a_conflict(workbench, dana, carla):
    _model(workbench, dana, name="scorer")
    v = _version(workbench, "scorer", dana, version="1.0.0", to="pending_approval")
    at = _page("carla", model="scorer")
    # Meanwhile the evidence changes: a new validation moves the version's row_version.
    workbench.run(
        registry.validate_version, actor=dana.actor(), version_id=v.id,
        observed=factories.PASSING, reason="re-run",
    )  # fmt: skip
    _field(at, "text_area", f"reg_decide_notes_{v.id}").input("looks fine")
    ok(_button(at, "Approve").click().run())

    [error] = messages(at, "error")
    assert "changed" in error.lower()
    again = workbench.run(registry.get_version, actor=dana.actor(), model="scorer", version="1.0.0")
    assert again.status == "pending_approval"


def test_deploy_then_deprecate_with_confirmation_then_retire(workbench, dana, carla):
    _model(workbench, dana, name="scorer")
    v = _version(workbench, "scorer", dana, version="1.0.0", to="approved", checkers=(carla,))
    at = _page("dana", model="scorer")

    _field(at, "text_input", f"reg_dep_env_{v.id}").input("staging")
    _field(at, "text_area", f"reg_dep_reason_{v.id}").input("first release")
    ok(_button(at, "Deploy").click().run())
    assert messages(at, "success") == ["Deployed 1.0.0 in staging."]

    _field(at, "text_area", f"reg_deprecate_reason_{v.id}").input("replaced")
    ok(_button(at, "Deprecate").click().run())  # not confirmed
    assert messages(at, "warning")[0].startswith("Tick the box")
    _field(at, "checkbox", f"reg_deprecate_confirm_{v.id}").check()
    ok(_button(at, "Deprecate").click().run())
    assert messages(at, "success") == ["Deprecated 1.0.0."]

    _field(at, "text_area", f"reg_retire_reason_{v.id}").input("end of life")
    _field(at, "checkbox", f"reg_retire_confirm_{v.id}").check()
    ok(_button(at, "Retire").click().run())
    assert messages(at, "success") == ["Retired 1.0.0."]
    [current] = [df.value for df in at.dataframe if "Why it ended" in df.value.columns]
    assert list(current["Environment"]) == ["staging"]


def test_deployed_on_a_day(workbench, dana, carla):
    _model(workbench, dana, name="scorer")
    _version(workbench, "scorer", dana, version="1.0.0", to="deployed", checkers=(carla,))
    at = _page("carla", model="scorer")

    [found] = [df.value for df in at.dataframe if "Approved by" in df.value.columns]
    assert list(found["Version"]) == ["1.0.0"]
    assert list(found["Approved by"]) == ["carla"]


def test_markup_in_names_and_texts_renders_as_text(workbench, dana):
    name = "<b>bold</b> **x** :red[y]"
    workbench.run(
        registry.register_model, actor=dana.actor(), name=name, provider="in-house",
        risk_tier="limited", intended_use="<script>alert(1)</script>",
        capabilities=["*star*"], performance_baseline=factories.BASELINE,
    )  # fmt: skip
    at = _page("dana", model=name)

    assert [shown(h.value) for h in at.header] == [name]
    assert "<script>alert(1)</script>" in [t.value for t in at.text]
    assert "- \\*star\\*" in [m.value for m in at.markdown]


def test_a_reader_sees_the_registry_without_any_form(workbench, dana, carla, make_user):
    make_user(Role.AUDITOR, "audra")
    _model(workbench, dana, name="scorer")
    _version(workbench, "scorer", dana, version="1.0.0", to="pending_approval")

    listing = _page("audra")
    assert list(_list_table(listing)["Model"]) == ["scorer"]
    assert "Register model" not in _labels(listing)

    at = _page("audra", model="scorer")
    assert [h.value for h in at.header] == ["scorer"]
    assert {"Add version", "Approve", "Reject", "Record validation", "Deploy"} & _labels(
        at
    ) == set()


def test_a_page_run_over_200_models_stays_fast(workbench, dana):
    import time

    for i in range(200):
        _model(workbench, dana, name=f"model-{i:03d}")
    at = _page("dana")
    ok(at.text_input(key="reg_search").input("model-1").run())  # a real rerun, as a keystroke
    started = time.perf_counter()
    ok(at.text_input(key="reg_search").input("").run())
    elapsed = time.perf_counter() - started

    assert len(_list_table(at)) == 200
    assert elapsed < 5, elapsed  # measured 0.03 s (a rerun after a keystroke)


def test_a_detail_run_with_many_versions_stays_fast(workbench, dana):
    import time

    _model(workbench, dana, name="scorer")
    for i in range(8):
        _version(workbench, "scorer", dana, version=f"1.{i}.0", to="validated")
    at = _page("dana", model="scorer")
    started = time.perf_counter()
    ok(at.run())
    elapsed = time.perf_counter() - started

    [versions] = [s for s in at.selectbox if s.label == "Version"]
    assert len(versions.options) == 8
    assert elapsed < 5, elapsed  # measured 0.04 s: one dossier read composes the services


def test_the_performance_tab_charts_a_baseline_metric(workbench, dana):
    from datetime import UTC, datetime, timedelta

    from governance.registry import performance

    _model(workbench, dana, name="scorer")  # baseline accuracy >= 0.85; latency_ms <= 300
    now = datetime.now(UTC)
    points = [{"metric": "accuracy", "value": 0.80 + 0.01 * d,
               "timestamp": (now - timedelta(days=d)).isoformat()} for d in range(10)]  # fmt: skip
    workbench.run(performance.record_points, actor=dana.actor(), model="scorer", points=points)

    at = _page("dana", "scorer")
    [chart] = at.get("plotly_chart")
    import json

    spec = json.loads(chart.proto.spec)
    assert [a["text"] for a in spec["layout"]["annotations"]] == ["baseline >= 0.85"]
    assert [t["name"] for t in spec["data"]] == ["daily mean", "7-day rolling mean"]
    assert len(spec["data"][0]["x"]) == 10  # one point a day
    captions = " ".join(c.value for c in at.caption)
    expected = "The latest day's mean, 0.8, is below the baseline (accuracy >= 0.85)."
    assert expected in shown(captions)
    at.selectbox(key="reg_perf_metric").select("latency_ms").run()
    start = (now - timedelta(days=29)).strftime("%d %b %Y")
    assert any(f"No points for this metric from {start} to" in i.value for i in at.info)


def test_a_custom_window_charts_the_chosen_days_only(workbench, dana):
    from datetime import UTC, datetime, timedelta

    from governance.registry import performance

    _model(workbench, dana, name="scorer")
    now = datetime.now(UTC)
    points = [{"metric": "accuracy", "value": 0.9,
               "timestamp": (now - timedelta(days=d)).isoformat()} for d in range(60)]  # fmt: skip
    workbench.run(performance.record_points, actor=dana.actor(), model="scorer", points=points)

    at = _page("dana", "scorer")
    at.button_group(key="reg_perf_win").set_value("Custom").run()
    first, last = (now - timedelta(days=49)).date(), (now - timedelta(days=40)).date()
    at.date_input(key="reg_perf_range").set_value((first, last)).run()
    import json

    [chart] = at.get("plotly_chart")
    days = json.loads(chart.proto.spec)["data"][0]["x"]
    assert len(days) == 10 and days[0].startswith(str(first)) and days[-1].startswith(str(last))


def test_the_import_form_is_offered_only_to_who_may_import(workbench, dana, make_user):
    _model(workbench, dana, name="scorer")
    make_user(Role.EXECUTIVE, "erin")
    at = _page("dana", "scorer")
    assert "Import performance points" in [e.label for e in at.expander]
    [button] = [b for b in at.button if b.label == "Import points"]
    assert button.disabled  # no file yet
    at = _page("erin", "scorer")
    assert "Import performance points" not in [e.label for e in at.expander]
    assert "Import points" not in _labels(at)


def test_the_model_card_tab_shows_the_card_and_offers_three_formats(workbench, dana):
    _model(workbench, dana, name="scorer **zbold**")
    _version(workbench, "scorer **zbold**", dana, version="1.0.0")

    at = _page("dana", "scorer **zbold**")
    cards = [m.value for m in at.markdown if m.value.startswith("### Model card:")]
    assert cards == [cards[0]] and "scorer \\*\\*zbold\\*\\* 1\\.0\\.0" in cards[0]
    labels = {b.label for b in at.get("download_button")}
    assert {"Markdown", "HTML", "PDF"} <= labels


def test_the_overview_counts_the_registry_and_lists_what_waits(workbench, dana, carla, make_user):
    from datetime import UTC, datetime

    from governance.registry import performance
    from tests.app.support import OVERVIEW

    make_user(Role.EXECUTIVE, "erin")
    at = open_page(signed_in("erin"), OVERVIEW)
    assert any("No model is registered yet" in i.value for i in at.info)

    _model(workbench, dana, name="scorer")
    _model(workbench, dana, name="ranker")
    _version(workbench, "scorer", dana, to="deployed", checkers=(carla,), version="1.0.0")
    _version(workbench, "ranker", dana, to="pending_approval", version="0.9.0")
    low = [{"metric": "accuracy", "value": 0.5, "timestamp": datetime.now(UTC).isoformat()}]
    workbench.run(performance.record_points, actor=dana.actor(), model="scorer", points=low)

    at = open_page(signed_in("erin"), OVERVIEW)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Models registered"] == "2"
    assert metrics["Models deployed"] == "1"
    assert metrics["Versions pending approval"] == "1"
    assert metrics["Metrics below baseline"] == "1"
    [table] = [df.value for df in at.dataframe if "Waiting on" in df.value.columns]
    assert sorted(zip(table["Model"], table["Waiting on"], strict=True)) == [
        ("ranker", "approval of 0.9.0"), ("scorer", "accuracy below its baseline"),
    ]  # fmt: skip


def _points_csv(rows: list[str]) -> bytes:
    return ("metric,value,timestamp\n" + "\n".join(rows) + "\n").encode()


def test_import_points_from_the_page_then_a_fresh_uploader(workbench, dana):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import func, select

    from governance.registry.models import PerformancePoint

    _model(workbench, dana, name="scorer")
    at = _page("dana", "scorer")
    stamp = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    data = _points_csv(
        [f"accuracy,0.91,{stamp}", f"latency_ms,120,{stamp}", f"accuracy,0.9,{stamp}"]
    )
    at.file_uploader(key="reg_perf_file_0").set_value(("week.csv", data, "text/csv"))
    ok(at.run())
    ok(_button(at, "Import points").click().run())
    assert messages(at, "success") == ["Imported 3 points: accuracy (2), latency_ms (1)."]
    with workbench.unit() as uow:
        assert uow.session.scalar(select(func.count()).select_from(PerformancePoint)) == 3
    # A new, empty uploader: the same file cannot be imported twice by a second click.
    assert at.file_uploader(key="reg_perf_file_1").value is None
    assert next(b for b in at.button if b.label == "Import points").disabled


def test_a_bad_points_file_on_the_page_names_its_row_and_stores_nothing(workbench, dana):
    from sqlalchemy import func, select

    from governance.registry.models import PerformancePoint

    _model(workbench, dana, name="scorer")
    at = _page("dana", "scorer")
    data = _points_csv(["accuracy,0.9,2026-01-01T00:00:00Z", "latency_ms,-4,2026-01-01T00:00:00Z"])
    at.file_uploader(key="reg_perf_file_0").set_value(("bad.csv", data, "text/csv"))
    ok(at.run())
    at = _button(at, "Import points").click().run()
    [error] = messages(at, "error")
    assert "'bad.csv', data row 2: latency_ms cannot be negative" in error
    assert "Nothing was imported." in error
    with workbench.unit() as uow:
        assert uow.session.scalar(select(func.count()).select_from(PerformancePoint)) == 0


def test_the_fairness_tab_lists_the_models_assessments_with_links(workbench, dana, tmp_path):
    from governance.fairness import assess_file, save_assessment
    from governance.fairness.spec import AssessmentSpec

    _model(workbench, dana, name="scorer")
    _version(workbench, "scorer", dana, version="1.0.0")
    at = _page("dana", "scorer")
    assert any("No fairness assessment names this model yet" in i.value for i in at.info)

    path = tmp_path / "p.csv"
    path.write_bytes(factories.prediction_bytes(factories.prediction_frame(600, 3)))
    result = assess_file(path, AssessmentSpec(y_true="label", y_pred="prediction",
                                              sensitive=("race",)))  # fmt: skip
    saved = workbench.run(save_assessment, actor=dana.actor(), result=result, source=path,
                          model_name="scorer", model_version="1.0.0")  # fmt: skip
    at = _page("dana", "scorer")
    [table] = [df.value for df in at.dataframe if "Lowest DI ratio" in df.value.columns]
    expected = min(g.disparate_impact for r in result.results for g in r.groups
                   if g.sufficient and g.disparate_impact is not None)  # fmt: skip
    assert list(table["Open"]) == [f"/fairness?assessment={saved}"]
    assert table["Lowest DI ratio"].iloc[0] == pytest.approx(expected)
    assert list(table["Version"]) == ["1.0.0"] and list(table["File"]) == ["p.csv"]


def test_a_link_to_an_assessment_opens_it_in_the_fairness_history(workbench, dana, tmp_path):
    from governance.fairness import assess_file, save_assessment
    from governance.fairness.spec import AssessmentSpec
    from tests.app.support import FAIRNESS

    _model(workbench, dana, name="scorer")
    path = tmp_path / "p.csv"
    path.write_bytes(factories.prediction_bytes(factories.prediction_frame(600, 3)))
    result = assess_file(path, AssessmentSpec(y_true="label", y_pred="prediction",
                                              sensitive=("race",)))  # fmt: skip
    saved = workbench.run(save_assessment, actor=dana.actor(), result=result, source=path,
                          model_name="scorer")  # fmt: skip
    at = signed_in("dana")
    at.query_params["assessment"] = str(saved)
    ok(open_page(at, FAIRNESS))
    assert at.selectbox(key="fair_open").value == saved
    assert any("saved by dana" in m.value for m in at.markdown)
    at = signed_in("dana")
    at.query_params["assessment"] = "999"
    ok(open_page(at, FAIRNESS))
    assert "Assessment #999 is not saved here." in messages(at, "warning")


def test_watch_a_model_from_its_page_then_stop(workbench, dana, make_user):
    from governance.registry import watchers

    _model(workbench, dana, name="scorer")
    make_user(Role.EXECUTIVE, "erin")
    at = _page("erin", "scorer")
    assert "Nobody watches this model yet" in " ".join(c.value for c in at.caption)
    ok(_button(at, "Watch").click().run())
    assert messages(at, "success") == ["You now watch scorer."]
    assert workbench.run(watchers.watcher_names, actor=dana.actor(), name="scorer") == ["erin"]
    assert "You watch this model." in " ".join(c.value for c in at.caption)
    ok(_button(at, "Stop watching").click().run())
    assert messages(at, "success") == ["You no longer watch scorer."]
    assert workbench.run(watchers.watcher_names, actor=dana.actor(), name="scorer") == []


def test_the_owner_edits_the_record_from_the_page(workbench, dana):
    m = _model(workbench, dana, name="scorer")
    at = _page("dana", "scorer")
    _field(at, "text_area", f"reg_edit_lims_{m.id}").input("thin files\nnew regions")
    _field(at, "text_area", f"reg_edit_reason_{m.id}").input("found in review")
    ok(_button(at, "Save changes").click().run())
    assert messages(at, "success") == ["Saved the record of scorer."]
    after = workbench.run(registry.get_model, actor=dana.actor(), name="scorer")
    assert after.known_limitations == ("thin files", "new regions")
    assert after.intended_use == m.intended_use  # untouched fields stay as they were


def test_an_officer_lowers_the_tier_and_a_stale_edit_is_a_conflict(workbench, dana, carla):
    m = _model(workbench, dana, name="scorer", risk_tier="high")
    at = _page("carla", "scorer")
    assert "Save changes" not in _labels(at)  # not the owner: the tier only
    _field(at, "selectbox", f"reg_tier_value_{m.id}").select("limited")
    _field(at, "text_area", f"reg_tier_reason_{m.id}").input("no personal data after all")
    # Meanwhile the owner edits the record: the officer's change is refused, not applied.
    from governance.registry.editing import update_model

    workbench.run(update_model, actor=dana.actor(), name="scorer", expected_version=m.row_version,
                  reason="typo", changes={"training_data": "fixed"})  # fmt: skip
    at = _button(at, "Change the tier").click().run()
    assert any("meanwhile" in e for e in messages(at, "error"))
    assert workbench.run(registry.get_model, actor=dana.actor(), name="scorer").risk_tier == "high"
    # The form kept what was typed: the officer submits again, on the record as it is now.
    assert _field(at, "selectbox", f"reg_tier_value_{m.id}").value == "limited"
    ok(_button(at, "Change the tier").click().run())
    assert messages(at, "success") == ["Changed the risk tier of scorer."]
    assert workbench.run(registry.get_model, actor=dana.actor(), name="scorer").risk_tier == (
        "limited"
    )


def test_a_high_risk_version_shows_how_many_approvals_it_has(workbench, dana, carla, make_user):
    from governance.registry import approvals

    _model(workbench, dana, name="scorer", risk_tier="high")
    v = _version(workbench, "scorer", dana, to="pending_approval", version="1.0.0")
    at = _page("carla", "scorer")
    assert any("needs 2 different approvers: 0 of 2 so far" in i.value for i in at.info)
    workbench.run(approvals.approve_version, actor=carla.actor(), version_id=v.id,
                  expected_version=v.row_version, reason="fine")  # fmt: skip
    make_user(Role.COMPLIANCE_OFFICER, "olga")
    at = _page("olga", "scorer")
    assert any("1 of 2 so far in this round" in i.value for i in at.info)
    assert "Approve" in _labels(at)
