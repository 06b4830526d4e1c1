"""Recording and editing risks: bad input (a clear message naming the field, nothing stored),
hostile text kept as text, links to registered models, the register sorted by score with its
filters, the heatmap (inherent and residual) and the trend, on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from governance.audit.models import AuditEvent
from governance.errors import Conflict, NotFound, ValidationError
from governance.risks import heatmap, levels, register
from governance.risks import service as risks
from governance.risks.matrix import DEFAULT_MATRIX
from governance.risks.models import Risk
from tests.factories import make_model, make_risk, move_risk

HOSTILE = (
    "<script>alert(1)</script> **bold** [x](javascript:alert(1)) ${{7*7}} '; DROP TABLE risks;--"
)


def _args(people, **changes):  # type: ignore[no-untyped-def]
    args = {
        "category": "privacy",
        "title": "Training data holds personal data",
        "description": "Names in free text.",
        "likelihood": 3,
        "impact": 4,
        "owner_id": people.owner.id,
    }
    return {**args, **changes}


def _counts(timed):  # type: ignore[no-untyped-def]
    with timed.unit() as uow:
        return (
            uow.session.scalar(select(func.count()).select_from(Risk)),
            uow.session.scalar(select(func.count()).select_from(AuditEvent)),
        )


BAD = [
    ({"likelihood": 0}, "^Likelihood: 0 is outside 1 to 5"),
    ({"likelihood": 6}, "^Likelihood: 6 is outside 1 to 5"),
    ({"likelihood": "3.5"}, "^Likelihood: '3.5' is not a whole number"),
    ({"impact": None}, "^Impact: give a whole number"),
    ({"impact": "high"}, "^Impact:"),
    ({"owner_id": None}, "^Owner: choose the account"),
    ({"owner_id": 424242}, "^Owner: no active account"),
    ({"category": "climate"}, "^Category:"),
    ({"title": ""}, "^Title"),
    ({"title": "x" * 201}, "^Title"),
    ({"title": "tab\there"}, "^Title"),
    ({"title": "rtl\u202eevil"}, "^Title"),
    ({"description": "nul\x00"}, "^Description"),
    ({"description": "x" * 5001}, "^Description"),
    ({"models": ["no-such-model"]}, "No model named"),
]


@pytest.mark.parametrize(("change", "message"), BAD, ids=[m for _, m in BAD])
def test_bad_input_names_the_field_and_stores_nothing(timed, people, change, message):
    before = _counts(timed)
    with pytest.raises((ValidationError, NotFound), match=message):
        timed.run(risks.register_risk, actor=people.officer.actor(), **_args(people, **change))
    assert _counts(timed) == before


@pytest.mark.parametrize("field", ["title", "description"])
def test_hostile_text_is_kept_as_text(timed, people, field):
    value = HOSTILE[:200]
    risk = timed.run(
        risks.register_risk, actor=people.officer.actor(), **_args(people, **{field: value})
    )
    assert getattr(risk, field) == value


def test_a_risk_links_registered_models_and_a_model_reads_its_risks(timed, people, admin):
    scorer = make_model(timed, by=admin, name="credit-scorer")
    chat = make_model(timed, by=admin, name="support-chat")
    risk = timed.run(
        risks.register_risk,
        actor=people.officer.actor(),
        **_args(people, models=["Credit-Scorer", "support-chat"]),
    )
    assert risk.models == ("credit-scorer", "support-chat")
    found = timed.run(risks.risks_of_model, people.executive.actor(), scorer.name)
    assert [r.id for r in found] == [risk.id]
    edited = timed.run(
        risks.update_risk,
        actor=people.officer.actor(),
        risk_id=risk.id,
        expected_version=risk.row_version,
        **_args(people, models=[chat.name]),
    )
    assert edited.models == ("support-chat",) and edited.row_version == risk.row_version + 1
    assert timed.run(risks.risks_of_model, people.executive.actor(), scorer.name) == []
    with pytest.raises(Conflict):
        timed.run(
            risks.update_risk,
            actor=people.officer.actor(),
            risk_id=risk.id,
            expected_version=risk.row_version,
            **_args(people, title="Renamed"),
        )


def test_the_register_sorts_by_score_and_filters(timed, people):
    low = make_risk(
        timed, by=people.officer, owner=people.owner, likelihood=1, impact=2, category="legal"
    )
    high = make_risk(timed, by=people.officer, owner=people.owner, likelihood=5, impact=4)
    mid = make_risk(timed, by=people.officer, owner=people.officer, likelihood=3, impact=3)
    frame = timed.run(register.list_risks, actor=people.executive.actor())
    assert frame["id"].tolist() == [high.id, mid.id, low.id]
    assert frame["level"].tolist() == ["critical", "medium", "low"]
    legal = timed.run(
        register.list_risks,
        actor=people.executive.actor(),
        filters=register.Filters(category="legal"),
    )
    assert legal["id"].tolist() == [low.id]
    move_risk(timed, mid, "mitigating", recorder=people.officer, acceptor=people.other_officer)
    mitigating = timed.run(
        register.list_risks,
        actor=people.executive.actor(),
        filters=register.Filters(status="mitigating"),
    )
    assert mitigating["id"].tolist() == [mid.id]
    mine = timed.run(
        register.list_risks,
        actor=people.executive.actor(),
        filters=register.Filters(owner_id=people.officer.id),
    )
    assert mine["id"].tolist() == [mid.id]


def test_the_heatmap_counts_open_risks_inherent_and_residual(timed, people):
    a = make_risk(timed, by=people.officer, owner=people.owner, likelihood=4, impact=5)
    make_risk(timed, by=people.officer, owner=people.owner, likelihood=4, impact=5)
    closed = make_risk(timed, by=people.officer, owner=people.owner, likelihood=2, impact=2)
    move_risk(timed, a, "mitigated", recorder=people.officer, acceptor=people.other_officer)
    move_risk(timed, closed, "closed", recorder=people.officer, acceptor=people.other_officer)
    inherent = timed.run(heatmap.risk_heatmap, actor=people.executive.actor())
    assert inherent.counts[3][4] == 2 and inherent.total == 2  # the closed one is not counted
    assert inherent.levels[3][4] == "critical"
    residual = timed.run(heatmap.risk_heatmap, actor=people.executive.actor(), residual=True)
    assert residual.counts[3][4] == 1 and residual.counts[0][0] == 1  # move_risk's 1 × 1
    cell = timed.run(
        heatmap.cell_risks, actor=people.executive.actor(), likelihood=1, impact=1, residual=True
    )
    assert cell["id"].tolist() == [a.id]


def test_a_matrix_change_relevels_every_risk_and_is_versioned(timed, people):
    risk = make_risk(timed, by=people.officer, owner=people.owner, likelihood=5, impact=3)
    assert risk.level == "high"
    changed = DEFAULT_MATRIX.with_cells({(5, 3): "critical"})
    version = timed.run(
        levels.update_matrix,
        actor=people.officer.actor(),
        matrix=changed,
        reason="board appetite",
        expected_version=0,
    )
    assert version.version == 1
    assert timed.run(risks.get_risk, actor=people.owner.actor(), risk_id=risk.id).level == (
        "critical"
    )
    with pytest.raises(Conflict):  # edited from version 0, which is no longer in force
        timed.run(
            levels.update_matrix,
            actor=people.other_officer.actor(),
            matrix=changed.with_cells({(5, 2): "critical"}),
            reason="x",
            expected_version=0,
        )
    with pytest.raises(ValidationError, match="unchanged"):
        timed.run(levels.update_matrix, actor=people.officer.actor(), matrix=changed, reason="x")
    with pytest.raises(ValidationError, match=r"^Reason"):
        timed.run(
            levels.update_matrix,
            actor=people.officer.actor(),
            matrix=changed.with_cells({(5, 2): "critical"}),
            reason=" ",
        )
    history = timed.run(levels.matrix_history, actor=people.executive.actor())
    assert history["changes"].tolist() == ["L5×I3 high → critical"]
    assert history["reason"].tolist() == ["board appetite"]


def test_the_trend_counts_open_risks_by_level_per_day(timed, clock, people):
    make_risk(timed, by=people.officer, owner=people.owner, likelihood=5, impact=5)
    clock.advance(days=3)
    second = make_risk(timed, by=people.officer, owner=people.owner, likelihood=1, impact=1)
    clock.advance(days=2)
    move_risk(timed, second, "closed", recorder=people.officer, acceptor=people.other_officer)
    trend = timed.run(heatmap.risk_trend, actor=people.executive.actor(), days=10)
    by = trend.pivot(index="day", columns="level", values="risks")
    # Ten days up to the clock's (8 December): each day's count is at its end.
    assert by["critical"].tolist() == [0] * 4 + [1] * 6  # registered on 3 December
    assert by["low"].tolist() == [0] * 7 + [1, 1, 0]  # 6 December, closed on the 8th
    assert by["high"].sum() == by["medium"].sum() == 0
    assert trend["day"].max().date() == clock().date()


def test_an_edit_that_changes_nothing_is_refused_and_writes_nothing(timed, people):
    risk = timed.run(risks.register_risk, actor=people.officer.actor(), **_args(people))
    before = _counts(timed)
    with pytest.raises(ValidationError, match="Nothing changed"):
        timed.run(
            risks.update_risk,
            actor=people.officer.actor(),
            risk_id=risk.id,
            expected_version=risk.row_version,
            **_args(people),
        )
    assert _counts(timed) == before
    assert timed.run(risks.get_risk, actor=people.owner.actor(), risk_id=risk.id).row_version == 1
