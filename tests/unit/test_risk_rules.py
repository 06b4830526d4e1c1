"""The risk register's pure rules: ratings, scores, the level matrix, the lifecycle table."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.errors import ValidationError
from governance.risks.fields import (
    Category,
    future_day,
    parse_category,
    parse_day,
    parse_rating,
    score,
)
from governance.risks.lifecycle import (
    ALLOWED,
    OPEN,
    TERMINAL,
    TRANSITIONS,
    RiskStatus,
    check_transition,
    parse_status,
)
from governance.risks.matrix import DEFAULT_MATRIX, LEVELS, Level, Matrix, parse_cell

ratings = st.integers(min_value=1, max_value=5)


@given(ratings, ratings)
def test_score_is_likelihood_times_impact_and_in_range(lik, imp):
    assert score(lik, imp) == lik * imp
    assert 1 <= score(lik, imp) <= 25


@given(ratings)
def test_a_whole_rating_is_taken_as_int_or_text(value):
    assert parse_rating(value, field="Likelihood") == value
    assert parse_rating(str(value), field="Likelihood") == value
    assert parse_rating(f" {value} ", field="Likelihood") == value


@given(st.integers().filter(lambda n: not 1 <= n <= 5))
def test_a_rating_outside_one_to_five_is_refused(value):
    with pytest.raises(ValidationError, match="Impact"):
        parse_rating(value, field="Impact")


@pytest.mark.parametrize("value", ["3.5", 3.5, "", None, True, "three", "٣", "1e0", "0x3", [3]])
def test_a_rating_that_is_not_a_whole_number_is_refused_naming_the_field(value):
    with pytest.raises(ValidationError, match=r"^Likelihood:"):
        parse_rating(value, field="Likelihood")


def test_categories_parse_in_their_spellings():
    assert parse_category("Third-party") is Category.THIRD_PARTY
    assert parse_category("third party") is Category.THIRD_PARTY
    with pytest.raises(ValidationError, match=r"^Category:.*security"):
        parse_category("climate")


def test_days():
    assert parse_day("2027-01-31", field="Deadline") == date(2027, 1, 31)
    with pytest.raises(ValidationError, match=r"^Deadline:"):
        parse_day("31/01/2027", field="Deadline")
    with pytest.raises(ValidationError, match=r"^Expiry: give a date"):
        parse_day(None, field="Expiry")
    with pytest.raises(ValidationError, match=r"^Expiry:.*not in the future"):
        future_day("2026-12-03", field="Expiry", today=date(2026, 12, 3))
    assert future_day("2026-12-04", field="Expiry", today=date(2026, 12, 3))


@pytest.mark.parametrize(
    ("lik", "imp", "level"),
    [(1, 1, "low"), (2, 2, "low"), (1, 4, "low"), (1, 5, "medium"), (3, 3, "medium"),
     (2, 5, "high"), (4, 4, "high"), (4, 5, "critical"), (5, 5, "critical")],
)  # fmt: skip
def test_default_bands_follow_the_score(lik, imp, level):
    assert DEFAULT_MATRIX.level(lik, imp) is Level(level)


@given(ratings, ratings)
def test_the_default_matrix_is_monotone(lik, imp):
    here = DEFAULT_MATRIX.level(lik, imp).rank
    if lik < 5:
        assert DEFAULT_MATRIX.level(lik + 1, imp).rank >= here
    if imp < 5:
        assert DEFAULT_MATRIX.level(lik, imp + 1).rank >= here


@given(st.lists(st.sampled_from(LEVELS), min_size=25, max_size=25))
def test_any_matrix_accepted_is_monotone_and_round_trips(cells):
    try:
        matrix = Matrix(tuple(cells))
    except ValidationError as exc:
        assert "cannot be a lower level" in str(exc)
        return
    for lik in range(1, 6):
        for imp in range(1, 6):
            if lik < 5:
                assert matrix.level(lik + 1, imp).rank >= matrix.level(lik, imp).rank
            if imp < 5:
                assert matrix.level(lik, imp + 1).rank >= matrix.level(lik, imp).rank
    assert Matrix.from_json(matrix.to_json()) == matrix
    assert Matrix.from_grid(matrix.grid()) == matrix


def test_matrix_edits_and_their_words():
    changed = DEFAULT_MATRIX.with_cells({(5, 3): "critical"})
    assert changed.level(5, 3) is Level.CRITICAL
    assert changed.changes_from(DEFAULT_MATRIX) == ["L5×I3 high → critical"]
    with pytest.raises(ValidationError, match="more likely"):
        DEFAULT_MATRIX.with_cells({(5, 5): "low"})
    with pytest.raises(ValidationError, match="no cell"):
        DEFAULT_MATRIX.with_cells({(6, 1): "low"})
    with pytest.raises(ValidationError, match="25 cells"):
        Matrix((Level.LOW,) * 24)
    with pytest.raises(ValidationError, match="not a level"):
        Matrix.from_json(["severe"] * 25)
    assert parse_cell("4,3=critical") == ((4, 3), Level.CRITICAL)
    with pytest.raises(ValidationError, match="L,I=LEVEL"):
        parse_cell("4-3=critical")


def test_the_lifecycle_table():
    assert {RiskStatus.CLOSED} == TERMINAL
    assert RiskStatus.CLOSED not in OPEN
    assert ALLOWED[RiskStatus.IDENTIFIED] == {RiskStatus.MITIGATING, RiskStatus.ACCEPTED}
    # Only the clock reopens an accepted risk; only acceptance makes one.
    calls = {(t.source, t.target): t.call for t in TRANSITIONS}
    assert calls[RiskStatus.ACCEPTED, RiskStatus.IDENTIFIED] == "expire_acceptances"
    assert {c for (s, t), c in calls.items() if t is RiskStatus.ACCEPTED} == {"accept_risk"}
    assert len(calls) == len(TRANSITIONS)  # no pair twice


@pytest.mark.parametrize("source", list(RiskStatus), ids=str)
@pytest.mark.parametrize("target", list(RiskStatus), ids=str)
def test_check_transition_agrees_with_the_table(source, target):
    if target in ALLOWED[source]:
        assert check_transition(source, target).target is target
    else:
        with pytest.raises(ValidationError, match=r"^Status: a risk that is"):
            check_transition(source, target)


def test_parse_status():
    assert parse_status(" Mitigated ") is RiskStatus.MITIGATED
    with pytest.raises(ValidationError, match=r"^Status:"):
        parse_status("done")
