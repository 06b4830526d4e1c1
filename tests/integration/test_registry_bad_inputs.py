"""Bad input to the registry, as a corpus: each is refused with a message naming the field,
stores nothing (no record, no event) and raises only a GovernanceError; and text that looks
like markup is stored as the text it is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from governance.audit.models import AuditEvent
from governance.auth.roles import Role
from governance.errors import GovernanceError
from governance.registry import approvals, deployments
from governance.registry import service as registry
from governance.registry.models import (
    Approval,
    Deployment,
    Model,
    ModelVersion,
    Validation,
    VersionTransition,
)
from tests.factories import PASSING, SHA, make_model, make_version

TABLES = (Model, ModelVersion, VersionTransition, Validation, Approval, Deployment, AuditEvent)


@pytest.fixture
def ctx(workbench, make_user) -> dict[str, Any]:
    sci = make_user(Role.DATA_SCIENTIST, "sci")
    officers = (make_user(Role.COMPLIANCE_OFFICER, "officer-a"),
                make_user(Role.COMPLIANCE_OFFICER, "officer-b"))  # fmt: skip
    model = make_model(workbench, by=sci, name="credit-model").name
    return {"wb": workbench, "sci": sci, "officers": officers, "model": model}


def _register(c, **changes):
    values = {"name": "another-model", "provider": "openai", "risk_tier": "limited",
              "intended_use": "Summaries.", "performance_baseline": "accuracy >= 0.8"}  # fmt: skip
    return lambda: c["wb"].run(registry.register_model, actor=c["sci"].actor(),
                               **{**values, **changes})  # fmt: skip


def _add(c, **changes):
    values = {"model": c["model"], "version": "2.0.0", "changelog": "c",
              "artifact_uri": "s3://a", "artifact_sha256": SHA}  # fmt: skip
    return lambda: c["wb"].run(
        registry.add_version, actor=c["sci"].actor(), **{**values, **changes}
    )


def _version(c, to: str, **kw):
    return make_version(c["wb"], c["model"], maker=c["sci"], checkers=c["officers"], to=to, **kw)


def _deploy(c, v, **changes):
    values = {"version_id": v.id, "environment": "production", "reason": "release"}
    return lambda: c["wb"].run(deployments.deploy_version, actor=c["sci"].actor(),
                               **{**values, **changes})  # fmt: skip


def _stale_approval(c):
    model = make_model(c["wb"], by=c["sci"], risk_tier="high", name="high-risk").name
    v = make_version(c["wb"], model, maker=c["sci"], to="pending_approval")
    c["wb"].run(approvals.approve_version, actor=c["officers"][0].actor(), version_id=v.id,
                expected_version=v.row_version, reason="ok")  # fmt: skip
    second = c["officers"][1].actor()
    return lambda: c["wb"].run(approvals.approve_version, actor=second, version_id=v.id,
                               expected_version=v.row_version, reason="ok")  # fmt: skip


def _self_approval(c):
    owner = c["officers"][0]  # an officer who owns the model may approve others', not this one
    model = make_model(c["wb"], by=c["sci"], owner=owner, name="officers-model").name
    v = make_version(c["wb"], model, maker=c["sci"], to="pending_approval")
    return lambda: c["wb"].run(
        approvals.approve_version,
        actor=owner.actor(),
        version_id=v.id,
        expected_version=v.row_version,
        reason="mine",
    )


def _failing_revalidation(c):
    v = _version(c, "approved")
    c["wb"].run(registry.validate_version, actor=c["sci"].actor(), version_id=v.id,
                observed={"accuracy": 0.1, "latency_ms": 1}, reason="drift check")  # fmt: skip
    return _deploy(c, v)


def _unacceptable(c):
    model = make_model(c["wb"], by=c["sci"], risk_tier="unacceptable", name="social-score").name
    v = make_version(c["wb"], model, maker=c["sci"], checkers=c["officers"], to="approved")
    return _deploy(c, v)


def _validate(c, **changes):
    v = _version(c, "draft")
    values = {"version_id": v.id, "observed": PASSING, "reason": "run"}
    return lambda: c["wb"].run(registry.validate_version, actor=c["sci"].actor(),
                               **{**values, **changes})  # fmt: skip


NUL = "bad\x00value"
Case = Callable[[dict[str, Any]], Callable[[], object]]
CORPUS: dict[str, tuple[Case, str]] = {
    "version not semver": (lambda c: _add(c, version="1.0"), "Version '1.0' is not a semantic"),
    "version leading zero": (lambda c: _add(c, version="01.0.0"), "Version '01.0.0' is not"),
    "version with a v": (lambda c: _add(c, version="v2.0.0"), "without the leading v"),
    "version empty": (lambda c: _add(c, version=""), "Version is required"),
    "duplicate name in another case": (
        lambda c: _register(c, name="CREDIT-Model"),
        "Name: a model named 'CREDIT-Model' is already"),
    "duplicate version": (lambda c: (_version(c, "draft", version="2.0.0"), _add(c))[1],
                          "Version: credit-model already has version 2.0.0"),
    "duplicate version by build metadata": (
        lambda c: (_version(c, "draft", version="2.0.0+a"), _add(c, version="2.0.0+b"))[1],
        "already has version 2.0.0+a"),
    "deploy from draft": (lambda c: _deploy(c, _version(c, "draft")),
                          "Status: a version that is draft cannot become deployed"),
    "approve a draft": (lambda c: (lambda v: lambda: c["wb"].run(
        approvals.approve_version, actor=c["officers"][0].actor(), version_id=v.id,
        expected_version=v.row_version, reason="ok"))(_version(c, "draft")),
        "Status: a version that is draft cannot become approved"),
    "self-approval by the owner": (_self_approval, "an owner cannot approve"),
    "stale approval": (_stale_approval, "changed this model version meanwhile"),
    "deploy on a failed validation": (_failing_revalidation, "Validation: the latest validation"),
    "deploy an unacceptable-risk model": (_unacceptable, "Risk tier: social-score is of unacc"),
    "10,000-character name": (lambda c: _register(c, name="n" * 10_000), "Name too long"),
    "unknown provider": (lambda c: _register(c, provider="skynet"), "Provider 'skynet' is not"),
    "unknown risk tier": (lambda c: _register(c, risk_tier="extreme"), "Risk tier 'extreme'"),
    "no intended use": (lambda c: _register(c, intended_use="  "), "Intended use is required"),
    "bad baseline": (lambda c: _register(c, performance_baseline="accuracy ~ 1"),
                     "Performance baseline: 'accuracy ~ 1'"),
    "bad sha256": (lambda c: _add(c, artifact_sha256="123"), "Artifact SHA-256 must be 64"),
    "no changelog": (lambda c: _add(c, changelog=""), "Changelog is required"),
    "unknown model": (lambda c: _add(c, model="nope"), "No model named 'nope'"),
    "observed not a number": (lambda c: _validate(c, observed={**PASSING, "accuracy": "high"}),
                              "Observed value of accuracy must be a number"),
    "observed missing": (lambda c: _validate(c, observed={"accuracy": 1}),
                         "Observed values: give a value for latency_ms"),
    "no reason": (lambda c: _validate(c, reason=" "), "Reason is required"),
    "bad environment": (lambda c: _deploy(c, _version(c, "approved"), environment="prod env!"),
                        "Environment 'prod env!'"),
}  # fmt: skip
NUL_FIELDS = {
    "name": (lambda c: _register(c, name=NUL), "Name"),
    "intended use": (lambda c: _register(c, intended_use=NUL), "Intended use"),
    "out-of-scope uses": (lambda c: _register(c, out_of_scope_uses=NUL), "Out-of-scope uses"),
    "capabilities": (lambda c: _register(c, capabilities=["vision", NUL]), "Capabilities"),
    "known limitations": (lambda c: _register(c, known_limitations=[NUL]), "Known limitations"),
    "training data": (lambda c: _register(c, training_data=NUL), "Training data"),
    "changelog": (lambda c: _add(c, changelog=NUL), "Changelog"),
    "artifact reference": (lambda c: _add(c, artifact_uri=NUL), "Artifact reference"),
    "version": (lambda c: _add(c, version="1.0.0\x00"), "Version"),
    "reason": (lambda c: _validate(c, reason=NUL), "Reason"),
    "evidence": (lambda c: _validate(c, evidence={"accuracy": NUL}), "Evidence of accuracy"),
    "deploy notes": (lambda c: _deploy(c, _version(c, "approved"), notes=NUL), "Notes"),
    "endpoint": (lambda c: _deploy(c, _version(c, "approved"), endpoint=NUL), "Endpoint"),
}
for _field, (_make, _name) in NUL_FIELDS.items():
    CORPUS[f"NUL in {_field}"] = (_make, _name)


def _counts(workbench) -> list[int]:
    with workbench.unit() as uow:
        return [uow.session.scalar(select(func.count()).select_from(t)) or 0 for t in TABLES]


@pytest.mark.parametrize("case", list(CORPUS), ids=str)
def test_bad_input_is_refused_naming_the_field_and_stores_nothing(ctx, case):
    make, message = CORPUS[case]
    attempt = make(ctx)  # the setup a case needs is made first, and kept
    before = _counts(ctx["wb"])
    with pytest.raises(GovernanceError) as refused:
        attempt()
    assert message in str(refused.value), str(refused.value)
    assert "Traceback" not in str(refused.value)
    assert _counts(ctx["wb"]) == before


MARKUP = "<script>alert(1)</script> **bold** [link](javascript:alert(1)) <b>&amp;</b> | a |"


def test_markup_in_every_text_field_is_stored_as_the_text_it_is(ctx):
    wb, sci = ctx["wb"], ctx["sci"]
    model = wb.run(registry.register_model, actor=sci.actor(), name=MARKUP, provider="other",
                   risk_tier="minimal", intended_use=MARKUP, out_of_scope_uses=MARKUP,
                   capabilities=[MARKUP], known_limitations=[MARKUP], training_data=MARKUP,
                   performance_baseline="accuracy >= 0.5")  # fmt: skip
    assert (model.name, model.intended_use, model.out_of_scope_uses, model.training_data) == (
        MARKUP, MARKUP, MARKUP, MARKUP)  # fmt: skip
    assert model.capabilities == model.known_limitations == (MARKUP,)
    v = wb.run(registry.add_version, actor=sci.actor(), model=MARKUP, version="1.0.0",
               changelog=MARKUP + "\n- second line", artifact_uri=MARKUP,
               artifact_sha256=SHA)  # fmt: skip
    report = wb.run(registry.validate_version, actor=sci.actor(), version_id=v.id,
                    observed={"accuracy": 0.9}, evidence={"accuracy": MARKUP},
                    reason=MARKUP)  # fmt: skip
    with wb.unit() as uow:
        again = registry.get_model(uow, actor=sci.actor(), name=MARKUP.upper().lower())
        version = registry.get_version(uow, actor=sci.actor(), model=MARKUP, version="1.0.0")
    assert again.name == MARKUP
    assert version.changelog == MARKUP + "\n- second line" and version.artifact_uri == MARKUP
    assert report.notes == MARKUP and report.requirements[0]["evidence"] == MARKUP
