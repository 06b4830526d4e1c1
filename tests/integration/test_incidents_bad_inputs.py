"""Bad input to the incident services, as a corpus, on both backends: each is refused with a
message naming the field, stores nothing (no record, no event, no notification) and raises
only a GovernanceError; and text that looks like markup is stored exactly as typed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from governance import incidents
from governance.audit.models import AuditEvent
from governance.auth.roles import Role
from governance.errors import GovernanceError, ValidationError
from governance.incidents.models import (
    Incident,
    IncidentEscalation,
    IncidentModel,
    IncidentPostmortem,
    IncidentTransition,
    PreventiveMeasure,
)
from governance.notifications.models import Notification
from tests.factories import make_model
from tests.integration.incidents_support import report
from tests.payloads import PAYLOADS

TABLES = (Incident, IncidentModel, IncidentTransition, IncidentEscalation, IncidentPostmortem,
          PreventiveMeasure, Notification, AuditEvent)  # fmt: skip
CONTROL = "line\x00break"
BIDI = "abc\u202edcba"


@pytest.fixture
def ctx(workbench, make_user):
    officer = make_user(Role.COMPLIANCE_OFFICER, "olivia")
    sci = make_user(Role.DATA_SCIENTIST, "sam")
    make_model(workbench, by=sci, name="credit-model")
    return {"wb": workbench, "officer": officer}


def _counts(wb) -> dict[str, int]:
    with wb.unit() as uow:
        return {t.__tablename__: uow.session.scalar(select(func.count()).select_from(t)) or 0
                for t in TABLES}  # fmt: skip


REPORTS = {
    "no title": ({"title": ""}, "^Title is required"),
    "title too long": ({"title": "x" * 201}, "^Title too long"),
    "title control": ({"title": CONTROL}, "^Title cannot contain control"),
    "title bidi": ({"title": BIDI}, "^Title cannot contain control"),
    "no description": ({"description": "  "}, "^Description is required"),
    "description control": ({"description": "a\x07b"}, "^Description cannot contain control"),
    "unknown type": ({"incident_type": "<b>x</b>"}, "^Type: '<b>x</b>' is not one of"),
    "unknown severity": ({"severity": "urgent"}, "^Severity: 'urgent' is not one of"),
    "future detection": ("future", "^Detected at cannot be in the future"),
    "naive detection": ("naive", "^Detected at needs a time zone"),
    "no detection": ({"detected_at": None}, "^Detected at is required"),
    "unknown harm": ({"harm_category": "aliens"}, "^Harm category: 'aliens' is not one of"),
    "negative affected": ({"affected_people": -1}, "^Affected people must be 0 to"),
    "affected text": ({"affected_people": "many"}, "^Affected people must be a whole number"),
    "unknown model": ({"models": ["[zlink](http://evil.example)"]}, "^Models: no model named"),
    "model control": ({"models": [CONTROL]}, "^Models cannot contain control"),
    "death not serious": ({"involves_death": True}, "^Serious incident: a death"),
}


@pytest.mark.parametrize("case", list(REPORTS), ids=str)
def test_a_bad_report_is_refused_naming_the_field_and_stores_nothing(ctx, case):
    wb = ctx["wb"]
    change, message = REPORTS[case]
    if change == "future":
        change = {"detected_at": wb.clock() + timedelta(minutes=5)}
    elif change == "naive":
        change = {"detected_at": wb.clock().replace(tzinfo=None)}
    before = _counts(wb)
    with pytest.raises(ValidationError, match=message):
        report(wb, ctx["officer"], **change)
    assert _counts(wb) == before


def _open(ctx, **kw):
    return report(ctx["wb"], ctx["officer"], **kw)


STEPS = {
    "resolve without root cause": (
        lambda c, i: incidents.resolve_incident, {"root_cause": ""}, "^Root cause is required"
    ),
    "resolve root cause control": (
        lambda c, i: incidents.resolve_incident, {"root_cause": CONTROL},
        "^Root cause cannot contain control",
    ),
    "postmortem without measures": (
        lambda c, i: incidents.write_postmortem,
        {"timeline": "t", "lessons_learned": "l", "measures": ["", " "]},
        "^Preventive measures: name at least one",
    ),
    "postmortem bidi timeline": (
        lambda c, i: incidents.write_postmortem,
        {"timeline": BIDI, "lessons_learned": "l", "measures": ["m"]},
        "^Timeline cannot contain control",
    ),
    "postmortem measure control": (
        lambda c, i: incidents.write_postmortem,
        {"timeline": "t", "lessons_learned": "l", "measures": ["ok", CONTROL]},
        "^Preventive measure 2 cannot contain control",
    ),
    "regulator report without reference": (
        lambda c, i: incidents.record_regulator_report, {"reference": " ", "submitted_at": "now"},
        "^Report reference is required",
    ),
    "regulator report in the future": (
        lambda c, i: incidents.record_regulator_report,
        {"reference": "r", "submitted_at": "future"},
        "^Report submitted at cannot be in the future",
    ),
    "transition to an unknown status": (
        lambda c, i: incidents.transition_incident, {"to": "done", "reason": "r"},
        "^Status: unknown status 'done'",
    ),
    "illegal jump to closed": (
        lambda c, i: incidents.transition_incident, {"to": "closed", "reason": "r"},
        "^Status: an incident that is investigating cannot become closed",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(STEPS), ids=str)
def test_a_bad_response_step_is_refused_naming_the_field_and_stores_nothing(ctx, case):
    wb, officer = ctx["wb"], ctx["officer"]
    service, args, message = STEPS[case]
    info = _open(ctx, serious=True)
    info = wb.run(incidents.transition_incident, actor=officer.actor(), incident_id=info.id,
                  to="investigating", reason="go")  # fmt: skip
    if "postmortem" in case:
        info = wb.run(incidents.resolve_incident, actor=officer.actor(), incident_id=info.id,
                      root_cause="c")  # fmt: skip
    args = dict(args)
    if args.get("submitted_at") == "now":
        args["submitted_at"] = wb.clock()
    elif args.get("submitted_at") == "future":
        args["submitted_at"] = wb.clock() + timedelta(hours=1)
    before = _counts(wb)
    with pytest.raises(GovernanceError, match=message):
        wb.run(service(ctx, info), actor=officer.actor(), incident_id=info.id, **args)
    assert _counts(wb) == before


@pytest.mark.parametrize("name", list(PAYLOADS), ids=str)
def test_markup_is_stored_as_typed_in_every_field(ctx, name):
    wb, officer = ctx["wb"], ctx["officer"]
    text = PAYLOADS[name]
    info = _open(ctx, title=text[:200], description=text, severity="high")
    info = wb.run(incidents.transition_incident, actor=officer.actor(), incident_id=info.id,
                  to="investigating", reason=text)  # fmt: skip
    info = wb.run(incidents.resolve_incident, actor=officer.actor(), incident_id=info.id,
                  root_cause=text, resolution=text)  # fmt: skip
    post = wb.run(incidents.write_postmortem, actor=officer.actor(), incident_id=info.id,
                  timeline=text, lessons_learned=text, measures=[text])  # fmt: skip
    detail = wb.run(incidents.incident_detail, actor=officer.actor(), incident_id=info.id)
    assert detail.info.title == text[:200].strip()
    assert (
        detail.info.description == detail.info.root_cause == detail.info.resolution == text.strip()
    )
    assert post.timeline == post.lessons_learned == post.measures[0].description == text.strip()
