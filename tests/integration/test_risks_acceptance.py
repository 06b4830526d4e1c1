"""Accepting a risk: another compliance officer than its owner, a justification, an expiry in
the future; an expired acceptance reopens the risk whenever risks are read and in the sweep
(``risks expire``), by the workbench's clock; two officers at once end in one outcome."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from governance.audit.models import AuditEvent
from governance.auth.roles import Role
from governance.errors import Conflict, PermissionDenied, ValidationError
from governance.notifications.models import Notification
from governance.risks import acceptance, heatmap, register
from governance.risks import service as risks
from governance.risks.models import RiskAcceptance, RiskTransition
from tests.factories import make_risk, move_risk


def _accept(timed, clock, who, risk, days=30, **kw):  # type: ignore[no-untyped-def]
    return timed.run(
        acceptance.accept_risk,
        actor=who.actor(),
        risk_id=risk.id,
        justification=kw.pop("justification", "within appetite"),
        expires_on=kw.pop("expires_on", (clock() + timedelta(days=days)).date()),
        **kw,
    )


def _count(timed, what) -> int:  # type: ignore[no-untyped-def]
    with timed.unit() as uow:
        return uow.session.scalar(select(func.count()).select_from(what))


def test_another_officer_accepts_until_a_day_and_the_owner_hears(timed, clock, people):
    risk = make_risk(timed, by=people.officer, owner=people.owner)
    accepted = _accept(timed, clock, people.other_officer, risk)
    assert accepted.status == "accepted"
    assert accepted.accepted_until == (clock() + timedelta(days=30)).date()
    with timed.unit() as uow:
        row = uow.session.scalars(select(RiskAcceptance)).one()
        assert (row.accepted_by, row.owner_id, row.ended_at) == ("officer-b", people.owner.id, None)
        event = uow.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event.action == "risk.accepted" and event.actor == "officer-b"
        told = uow.session.scalars(
            select(Notification.recipient_id).where(Notification.kind == "risks.accepted")
        ).all()
        assert told == [people.owner.id]


def test_the_owner_may_not_accept_their_own_risk(timed, clock, people, make_user):
    owner_officer = make_user(Role.COMPLIANCE_OFFICER, "owning-officer")
    risk = make_risk(timed, by=people.officer, owner=owner_officer)
    with pytest.raises(PermissionDenied, match="You own this risk"):
        _accept(timed, clock, owner_officer, risk)
    assert _count(timed, RiskAcceptance) == 0
    with timed.unit() as uow:
        denial = uow.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (denial.action, denial.details["reason"]) == ("permission.denied", "risk owner")


def test_the_database_refuses_an_owner_accepting_their_own_risk(timed, clock, people):
    risk = make_risk(timed, by=people.officer, owner=people.owner)
    with pytest.raises(IntegrityError), timed.unit() as uow:
        uow.session.execute(
            text(
                "INSERT INTO risk_acceptances (risk_id, accepted_by_id, accepted_by, owner_id, "
                "justification, accepted_on, expires_on, at) VALUES (:r, :o, 'x', :o, 'mine', "
                "'2026-12-03', '2027-01-01', '2026-12-03 09:00:00+00:00')"
            ),
            {"r": risk.id, "o": people.owner.id},
        )


@pytest.mark.parametrize(
    ("expires", "message"),
    [
        (None, "needs an expiry"),
        ("", "needs an expiry"),
        ("2026-12-03", "not in the future"),
        ("2026-12-01", "not in the future"),
        ("03/01/2027", "not a date"),
        ("2030-01-01", "more than 730 days"),
    ],
)
def test_an_acceptance_needs_an_expiry_in_the_future(timed, clock, people, expires, message):
    risk = make_risk(timed, by=people.officer, owner=people.owner)
    with pytest.raises(ValidationError, match=f"^Expiry: .*{message}"):
        _accept(timed, clock, people.other_officer, risk, expires_on=expires)
    assert _count(timed, RiskAcceptance) == 0
    assert timed.run(risks.get_risk, actor=people.owner.actor(), risk_id=risk.id).status == (
        "identified"
    )


def test_an_acceptance_needs_a_justification_and_a_person(timed, clock, people):
    from governance.actor import Actor

    risk = make_risk(timed, by=people.officer, owner=people.owner)
    with pytest.raises(ValidationError, match=r"^Justification"):
        _accept(timed, clock, people.other_officer, risk, justification="  ")
    with pytest.raises(PermissionDenied):  # the command line's operator is no officer
        timed.run(
            acceptance.accept_risk,
            actor=Actor.command_line(),
            risk_id=risk.id,
            justification="ok",
            expires_on=(clock() + timedelta(days=3)).date(),
        )


READS = {
    "get_risk": lambda t, a, r: t.run(risks.get_risk, actor=a, risk_id=r.id),
    "list_risks": lambda t, a, r: t.run(register.list_risks, actor=a),
    "risk_dossier": lambda t, a, r: t.run(register.risk_dossier, actor=a, risk_id=r.id),
    "risk_heatmap": lambda t, a, r: t.run(heatmap.risk_heatmap, actor=a),
    "sweep": lambda t, a, r: t.run(acceptance.expire_acceptances, actor=a),
}


@pytest.mark.parametrize("read", list(READS))
def test_an_expired_acceptance_reopens_the_risk_when_read(timed, clock, people, read):
    risk = make_risk(timed, by=people.officer, owner=people.owner)
    _accept(timed, clock, people.other_officer, risk, days=5)
    clock.advance(days=5)  # the expiry day itself: still accepted
    READS[read](timed, people.executive.actor(), risk)
    assert timed.run(risks.get_risk, actor=people.owner.actor(), risk_id=risk.id).status == (
        "accepted"
    )
    clock.advance(days=1)
    READS[read](timed, people.executive.actor(), risk)
    READS[read](timed, people.executive.actor(), risk)  # a second read changes nothing more
    now = timed.run(risks.get_risk, actor=people.owner.actor(), risk_id=risk.id)
    assert (now.status, now.accepted_until) == ("identified", None)
    with timed.unit() as uow:
        steps = uow.session.scalars(
            select(RiskTransition).where(
                RiskTransition.to_status == "identified", RiskTransition.from_status == "accepted"
            )
        ).all()
        assert [s.actor for s in steps] == ["system:risk-clock"]
        events = uow.session.scalars(
            select(AuditEvent.action).where(AuditEvent.action == "risk.acceptance_expired")
        ).all()
        assert len(events) == 1
        ended = uow.session.scalars(select(RiskAcceptance)).one()
        assert ended.end_reason == "expired"
        told = set(
            uow.session.scalars(
                select(Notification.recipient_id).where(
                    Notification.kind == "risks.acceptance_expired"
                )
            )
        )
        assert told == {people.owner.id, people.other_officer.id}


def test_the_sweep_command_reopens_by_the_clock(timed, clock, people, monkeypatch, capsys):
    from governance import cli

    risk = make_risk(timed, by=people.officer, owner=people.owner)
    _accept(timed, clock, people.other_officer, risk, days=2)
    clock.advance(days=3)
    monkeypatch.setattr(cli, "open_workbench", lambda: timed)
    monkeypatch.setattr(type(timed), "close", lambda self: None)
    assert cli.main(["risks", "expire", "--format", "json"]) == 0
    assert f'"reopened": [\n    {risk.id}\n  ]' in capsys.readouterr().out
    assert cli.main(["risks", "expire"]) == 0
    assert "0 risk(s) reopened" in capsys.readouterr().out


def test_racing_readers_reopen_a_lapsed_acceptance_once(timed, clock, people):
    risk = make_risk(timed, by=people.officer, owner=people.owner)
    _accept(timed, clock, people.other_officer, risk, days=1)
    clock.advance(days=2)
    outcomes = _race(lambda i: timed.run(register.list_risks, actor=people.executive.actor()))
    assert all(not isinstance(o, Exception) or isinstance(o, Conflict) for o in outcomes)
    timed.run(register.list_risks, actor=people.executive.actor())
    with timed.unit() as uow:
        n = uow.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "risk.acceptance_expired")
        )
    assert n == 1


def _race(act):  # type: ignore[no-untyped-def]
    start = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def run(i: int) -> None:
        start.wait()
        try:
            outcomes[i] = act(i)
        except (Conflict, PermissionDenied, ValidationError) as exc:
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_two_officers_acting_on_one_risk_at_once_end_in_one_outcome(timed, clock, people):
    """One accepts, the other starts mitigating, both from the version they saw."""
    risk = make_risk(timed, by=people.officer, owner=people.owner)
    seen = risk.row_version
    acts = (
        lambda: _accept(timed, clock, people.other_officer, risk, expected_version=seen),
        lambda: timed.run(
            risks.transition_risk,
            actor=people.officer.actor(),
            risk_id=risk.id,
            to="mitigating",
            reason="start",
            expected_version=seen,
        ),
    )
    outcomes = _race(lambda i: acts[i]())
    conflicts = [o for o in outcomes if isinstance(o, Conflict)]
    done = [o for o in outcomes if not isinstance(o, Exception)]
    assert (len(done), len(conflicts)) == (1, 1), outcomes
    now = timed.run(risks.get_risk, actor=people.owner.actor(), risk_id=risk.id)
    assert now.status == done[0].status
    assert now.row_version == seen + 1
    with timed.unit() as uow:
        moves = uow.session.scalar(
            select(func.count())
            .select_from(RiskTransition)
            .where(RiskTransition.risk_id == risk.id)
        )
        accepted = uow.session.scalar(select(func.count()).select_from(RiskAcceptance))
    assert moves == 2  # registered, then the one outcome
    assert accepted == (1 if now.status == "accepted" else 0)


def test_two_officers_accepting_at_once_accept_once(timed, clock, people, make_user):
    third = make_user(Role.COMPLIANCE_OFFICER, "officer-c")
    risk = make_risk(timed, by=people.officer, owner=people.owner)
    who = (people.other_officer, third)
    outcomes = _race(lambda i: _accept(timed, clock, who[i], risk, expected_version=1))
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1, outcomes
    assert _count(timed, RiskAcceptance) == 1


def test_a_stale_acceptance_is_a_conflict(timed, clock, people):
    risk = make_risk(timed, by=people.officer, owner=people.owner)
    move_risk(timed, risk, "mitigating", recorder=people.officer, acceptor=people.other_officer)
    with pytest.raises(Conflict, match="Someone else changed this risk"):
        _accept(timed, clock, people.other_officer, risk, expected_version=risk.row_version)


def test_many_officers_on_one_risk_end_in_one_decision_per_version(timed, clock, people, make_user):
    """Eight officers, each acting on the version they saw: for every version one decision
    lands, the others are conflicts (or busy on SQLite), nothing else; the trail holds as
    many decisions as the history."""
    from tests.concurrency import hammer

    officers = [make_user(Role.COMPLIANCE_OFFICER, f"hammer-{i}") for i in range(8)]
    risk = make_risk(timed, by=people.officer, owner=people.owner)

    def act(thread: int, call: int) -> object:
        seen = timed.run(risks.get_risk, actor=people.owner.actor(), risk_id=risk.id)
        if seen.status == "identified":
            return timed.run(
                risks.transition_risk,
                actor=officers[thread].actor(),
                risk_id=risk.id,
                to="mitigating",
                reason=f"t{thread}",
                expected_version=seen.row_version,
            )
        if seen.status == "mitigating":
            return _accept(
                timed, clock, officers[thread], risk, days=10, expected_version=seen.row_version
            )
        return None

    outcomes = hammer(act, threads=8, calls=3)
    assert outcomes.internal == []
    done = [r for r in outcomes.results.values() if hasattr(r, "status")]
    assert sorted(r.status for r in done) == ["accepted", "mitigating"]
    assert all(
        isinstance(r, Conflict | type(None))
        for r in outcomes.results.values()
        if not hasattr(r, "status")
    )
    with timed.unit() as uow:
        moves = uow.session.scalar(
            select(func.count())
            .select_from(RiskTransition)
            .where(RiskTransition.risk_id == risk.id)
        )
        events = uow.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action.in_(("risk.transitioned", "risk.accepted")))
        )
    assert (moves, events) == (3, 2)
