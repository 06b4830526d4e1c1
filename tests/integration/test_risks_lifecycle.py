"""Every allowed and every forbidden step of a risk's lifecycle, walked from its own table, on
both backends; and the history and trail each step leaves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from governance.audit.models import AuditEvent
from governance.errors import ValidationError
from governance.risks import acceptance, register
from governance.risks import service as risks
from governance.risks.lifecycle import ALLOWED, TRANSITIONS, RiskStatus
from governance.risks.models import RiskTransition
from tests.factories import make_risk, move_risk

PAIRS = [(s, t) for s in RiskStatus for t in RiskStatus]


def _attempt(timed, clock, people, risk, target):  # type: ignore[no-untyped-def]
    """Ask for ``target`` through the one service call the table names for it (or, for a
    pair the table lacks, through the call that would make such a step)."""
    step = next(
        (t for t in TRANSITIONS if t.source.value == risk.status and t.target is target), None
    )
    call = (
        step.call
        if step
        else ("accept_risk" if target is RiskStatus.ACCEPTED else "transition_risk")
    )
    if call == "accept_risk":
        return timed.run(
            acceptance.accept_risk,
            actor=people.officer.actor(),
            risk_id=risk.id,
            justification="within appetite",
            expires_on=(clock() + timedelta(days=10)).date(),
        )
    if call == "expire_acceptances":
        clock.advance(days=40)  # past the 30 days move_risk accepts for
        return timed.run(risks.get_risk, actor=people.executive.actor(), risk_id=risk.id)
    residual = (
        {"residual_likelihood": 2, "residual_impact": 2} if target is RiskStatus.MITIGATED else {}
    )
    return timed.run(
        risks.transition_risk,
        actor=people.officer.actor(),
        risk_id=risk.id,
        to=target.value,
        reason="walk",
        **residual,
    )


def _events(timed) -> int:  # type: ignore[no-untyped-def]
    with timed.unit() as uow:
        return uow.session.scalar(select(func.count()).select_from(AuditEvent))


@pytest.mark.parametrize(("source", "target"), PAIRS, ids=lambda s: s.value)
def test_each_pair_is_allowed_exactly_when_the_table_says(timed, clock, people, source, target):
    risk = make_risk(timed, by=people.officer, owner=people.owner)
    risk = move_risk(
        timed, risk, source.value, recorder=people.officer, acceptor=people.other_officer
    )
    assert risk.status == source.value
    before = _events(timed)
    if target in ALLOWED[source]:
        after = _attempt(timed, clock, people, risk, target)
        assert after.status == target.value
        with timed.unit() as uow:
            last = uow.session.scalars(
                select(RiskTransition)
                .where(RiskTransition.risk_id == risk.id)
                .order_by(RiskTransition.id.desc())
            ).first()
        assert (last.from_status, last.to_status) == (source.value, target.value)
        assert _events(timed) > before
        return
    with pytest.raises(ValidationError, match=r"^Status:"):
        _attempt(timed, clock, people, risk, target)
    assert _events(timed) == before  # nothing written, no event
    now = timed.run(risks.get_risk, actor=people.owner.actor(), risk_id=risk.id)
    assert (now.status, now.row_version) == (source.value, risk.row_version)


def test_the_history_reads_as_the_walk(timed, people):
    risk = make_risk(timed, by=people.officer, owner=people.owner)
    move_risk(timed, risk, "closed", recorder=people.officer, acceptor=people.other_officer)
    dossier = timed.run(register.risk_dossier, actor=people.executive.actor(), risk_id=risk.id)
    steps = [(s.from_status, s.to_status) for s in dossier.history]
    assert steps == [
        (None, "identified"),
        ("identified", "mitigating"),
        ("mitigating", "mitigated"),
        ("mitigated", "closed"),
    ]
    assert dossier.risk.residual_score == 1 and dossier.risk.residual_level == "low"


def test_mitigated_needs_a_residual_rating_no_higher_than_the_inherent(timed, people):
    risk = make_risk(timed, by=people.officer, owner=people.owner, likelihood=3, impact=3)
    risk = move_risk(
        timed, risk, "mitigating", recorder=people.officer, acceptor=people.other_officer
    )
    for residual, message in (
        ({}, "needs its residual"),
        ({"residual_likelihood": 4, "residual_impact": 1}, "cannot exceed"),
        ({"residual_likelihood": 0, "residual_impact": 1}, "outside 1 to 5"),
    ):
        with pytest.raises(ValidationError, match=message):
            timed.run(
                risks.transition_risk,
                actor=people.officer.actor(),
                risk_id=risk.id,
                to="mitigated",
                reason="done",
                **residual,
            )
    timed.run(
        risks.transition_risk,
        actor=people.officer.actor(),
        risk_id=risk.id,
        to="mitigated",
        reason="done",
        residual_likelihood=3,
        residual_impact=2,
    )
    with pytest.raises(ValidationError, match="only with mitigated"):
        timed.run(
            risks.transition_risk,
            actor=people.officer.actor(),
            risk_id=risk.id,
            to="closed",
            reason="x",
            residual_likelihood=1,
            residual_impact=1,
        )
