"""The registry's pure rules: semantic versions, the lifecycle table, baselines, requirements."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.errors import ValidationError
from governance.kernel import clean_text
from governance.registry.fields import (
    Direction,
    RiskTier,
    parse_baseline,
    parse_environment,
    parse_risk_tier,
    parse_sha256,
)
from governance.registry.lifecycle import ALLOWED, TRANSITIONS, Status, check_transition
from governance.registry.requirements import judge
from governance.registry.semver import SemVer, parse_semver

# --- semantic versions (semver.org 2.0.0) -------------------------------------------------------

VALID = ["0.0.4", "1.2.3", "10.20.30", "1.1.2-prerelease+meta", "1.1.2+meta", "1.1.2+meta-valid",
         "1.0.0-alpha", "1.0.0-beta", "1.0.0-alpha.beta", "1.0.0-alpha.beta.1", "1.0.0-alpha.1",
         "1.0.0-alpha0.valid", "1.0.0-alpha.0valid", "1.0.0-rc.1+build.1", "2.0.0-rc.1+build.123",
         "1.2.3-beta", "10.2.3-DEV-SNAPSHOT", "1.2.3-SNAPSHOT-123", "2.0.0+build.1848",
         "2.0.1-alpha.1227", "1.0.0-alpha+beta", "1.2.3----RC-SNAPSHOT.12.9.1--.12+788",
         "1.0.0+0.build.1-rc.10000aaa-kk-0.1", "1.0.0-0A.is.legal",
         "99999999999999999999999.999999999999999999.99999999999999999"]  # fmt: skip
INVALID = ["1", "1.2", "1.2.3-0123", "1.2.3-0123.0123", "1.1.2+.123", "+invalid", "-invalid",
           "-invalid+invalid", "alpha", "alpha.beta.1", "1.0.0-alpha_beta", "1.0.0-alpha..",
           "01.1.1", "1.01.1", "1.1.01", "1.2.3.DEV", "1.2-SNAPSHOT", "1.2.31.2.3----RC",
           "+justmeta", "9.8.7+meta+meta", "9.8.7-whatever+meta+meta", "1.0.0-", "1.0.0+",
           "1 .0.0", "v1.0.0", "1.0.0\x00", "１.０.０"]  # fmt: skip


@pytest.mark.parametrize("text", VALID)
def test_valid_versions_parse_and_print_as_given(text):
    assert str(parse_semver(text)) == text


@pytest.mark.parametrize("text", INVALID)
def test_invalid_versions_are_refused_naming_the_field(text):
    with pytest.raises(ValidationError, match=r"^Version"):
        parse_semver(text)


def test_a_leading_v_is_refused_with_the_fix():
    with pytest.raises(ValidationError, match=r"without the leading v \(1\.0\.0\)"):
        parse_semver("v1.0.0")


def test_precedence_is_the_specifications_example():
    ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
               "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0",
               "10.0.0"]  # fmt: skip
    shuffled = ordered[1::2] + ordered[0::2][::-1]
    assert [str(v) for v in sorted(parse_semver(s) for s in shuffled)] == ordered


def test_build_metadata_does_not_change_precedence():
    a, b = parse_semver("1.0.0+build.1"), parse_semver("1.0.0+build.2")
    assert a == b and not a < b and hash(a) == hash(b)
    assert a.precedence_key == b.precedence_key == "1.0.0"


_ident = st.one_of(
    st.integers(0, 50).map(str),
    st.text("abcXYZ-", min_size=1, max_size=4).filter(lambda s: not s.isdigit()),
)
versions = st.builds(
    SemVer, st.integers(0, 3), st.integers(0, 3), st.integers(0, 3),
    st.lists(_ident, max_size=3).map(tuple), st.lists(_ident, max_size=2).map(tuple),
)  # fmt: skip


@given(versions)
def test_printing_and_parsing_round_trip(v):
    assert parse_semver(str(v)) == v
    assert str(parse_semver(str(v))) == str(v)


@given(versions, versions, versions)
def test_precedence_is_a_total_order(a, b, c):
    assert (a < b) + (b < a) + (a == b) == 1
    if a < b and b < c:
        assert a < c


@given(versions)
def test_a_release_ranks_above_its_prereleases(v):
    release = SemVer(v.major, v.minor, v.patch)
    if v.prerelease:
        assert v < release
    else:
        assert v == release


# --- the lifecycle table --------------------------------------------------------------------


@pytest.mark.parametrize("source", list(Status), ids=str)
def test_each_pair_of_statuses_is_allowed_exactly_when_the_table_says(source):
    for target in Status:
        if target in ALLOWED[source]:
            check_transition(source, target)
            continue
        with pytest.raises(ValidationError) as refused:
            check_transition(source, target)
        message = str(refused.value)
        assert message.startswith("Status:")
        assert f"cannot become {target.label}" in message
        for allowed in ALLOWED[source]:
            assert allowed.label in message.split("only become:")[1]


def test_the_table_is_the_issues_lifecycle():
    steps = {(t.source, t.target) for t in TRANSITIONS}
    S = Status
    for step in [(S.DRAFT, S.VALIDATED), (S.VALIDATED, S.PENDING_APPROVAL),
                 (S.PENDING_APPROVAL, S.APPROVED), (S.PENDING_APPROVAL, S.REJECTED),
                 (S.REJECTED, S.DRAFT), (S.APPROVED, S.DEPLOYED), (S.DEPLOYED, S.DEPRECATED),
                 (S.DEPRECATED, S.RETIRED)]:  # fmt: skip
        assert step in steps
    assert ALLOWED[S.RETIRED] == frozenset()  # final
    assert S.DEPLOYED not in ALLOWED[S.DRAFT]
    with pytest.raises(ValidationError, match="retired is final"):
        check_transition(S.RETIRED, S.DRAFT)


def test_every_status_but_draft_is_reachable_from_draft():
    reached, frontier = {Status.DRAFT}, [Status.DRAFT]
    while frontier:
        for target in ALLOWED[frontier.pop()]:
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(Status)


# --- fields ---------------------------------------------------------------------------------


def test_baseline_from_text_and_from_a_mapping_agree():
    text = parse_baseline("accuracy >= 0.85; latency_ms <= 300")
    mapping = parse_baseline({"accuracy": {"threshold": 0.85, "direction": ">="},
                              "latency_ms": {"threshold": 300, "direction": "<="}})  # fmt: skip
    assert text == mapping
    assert [str(t) for t in text] == ["accuracy >= 0.85", "latency_ms <= 300"]
    assert (
        text[1].direction is Direction.AT_MOST and text[1].met_by(300) and not text[1].met_by(301)
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("accuracy > 0.85", "is not 'metric >= threshold'"),
        ("accuracy >= high", "must be a number"),
        ("accuracy >= nan", "finite"),
        ("accuracy >= inf", "finite"),
        ("Accuracy% >= 1", "lower-case name"),
        ("accuracy >= 0.8; accuracy >= 0.9", "twice"),
        ({"accuracy": {"threshold": 0.8}}, "exactly a threshold and a direction"),
        ({"accuracy": {"threshold": True, "direction": ">="}}, "must be a number"),
        ({"accuracy": {"threshold": 0.8, "direction": "=="}}, "must be >= or <="),
    ],
)
def test_bad_baselines_are_refused_naming_the_field(value, message):
    with pytest.raises(ValidationError, match=r"^Performance baseline") as refused:
        parse_baseline(value)
    assert message in str(refused.value)


def test_risk_tiers():
    assert RiskTier.HIGH.approvers_needed == 2 and RiskTier.LIMITED.approvers_needed == 1
    assert not RiskTier.UNACCEPTABLE.deployable and RiskTier.MINIMAL.deployable
    assert parse_risk_tier(" HIGH ") is RiskTier.HIGH
    with pytest.raises(ValidationError, match="Risk tier 'severe' is not known: choose one of"):
        parse_risk_tier("severe")


def test_sha256_and_environment():
    assert parse_sha256("AB" * 32) == "ab" * 32
    for bad in ("ab" * 31, "zz" * 32, "", "ab" * 33):
        with pytest.raises(ValidationError, match="Artifact SHA-256"):
            parse_sha256(bad)
    assert parse_environment(" Production ") == "production"
    for bad in ("", "prod env", "<b>", "x" * 41, "1st"):
        with pytest.raises(ValidationError, match=r"^Environment"):
            parse_environment(bad)


def test_requirements_judge_each_metric_and_need_them_all():
    baseline = parse_baseline("accuracy >= 0.85; latency_ms <= 300")
    report = judge(baseline, {"accuracy": "0.9", "latency_ms": 301}, {"accuracy": "run 12"})
    assert [(r.name, r.observed, r.passed, r.evidence) for r in report] == [
        ("accuracy", 0.9, True, "run 12"), ("latency_ms", 301.0, False, None)]  # fmt: skip
    with pytest.raises(ValidationError, match="give a value for latency_ms"):
        judge(baseline, {"accuracy": 0.9})
    with pytest.raises(ValidationError, match="f1 not in the model's baseline"):
        judge(baseline, {"accuracy": 0.9, "latency_ms": 1, "f1": 0.5})
    with pytest.raises(ValidationError, match="has none"):
        judge((), {})


def test_multiline_text_keeps_line_breaks_and_refuses_other_controls():
    assert clean_text("a\r\nb\tc", field="Changelog", limit=50, multiline=True) == "a\nb\tc"
    for bad in ("a\x00b", "a\x1bb", "a\u202eb"):
        with pytest.raises(ValidationError, match="Changelog cannot contain control"):
            clean_text(bad, field="Changelog", limit=50, multiline=True)
    with pytest.raises(ValidationError, match="control"):
        clean_text("a\nb", field="Name", limit=50)
