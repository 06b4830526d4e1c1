"""The fairness engine: one DuckDB scan of a file into per-group counts, then pure analysis.

The file is never loaded whole: DuckDB counts TP/FP/FN/TN per group for every grouping at once
(GROUPING SETS) together with the validation counts, and everything after that works on those
few numbers. In-memory arrays go through the same analysis via :func:`assess_arrays`.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from governance.errors import ValidationError
from governance.fairness.analysis import AssessmentResult, GroupingCounts, analyse
from governance.fairness.caps import FileCaps
from governance.fairness.choices import MISSING, group_order, positive_from_words
from governance.fairness.inputs import Column, FileFormat, Source, quote, shown
from governance.fairness.metrics import Counts, counts_from_arrays
from governance.fairness.policy import Policy
from governance.fairness.scores import BINS, RESOLUTION, ScoreHistogram
from governance.fairness.spec import AssessmentSpec

SAMPLE_ROWS = 10_000
# More groups than this in one grouping is almost surely an identifier column, and would make
# the bootstrap slow and large: refused with a message instead.
MAX_GROUPS = 1_000
# Text that stands for "no value" in an outcome column: such rows are missing, not a class.
_MISSING_WORDS = ("", "na", "n/a", "nan", "null", "none", "?")
# The words naming a positive and a negative class live in governance.fairness.choices, shared
# with the page's suggestion of the positive class.


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a column's values map to the positive and negative class."""

    column: Column
    positive: Any
    negative: Any

    def describe(self) -> str:
        return f"{self.column.name} = {self.positive!r} is positive, {self.negative!r} negative"


def _label(value: Any) -> str:
    return repr(value) if not isinstance(value, str) else value


def _present(column: Column) -> str:
    """SQL: the value of ``column`` is there (not NULL, NaN or a word such as NA)."""
    q = quote(column.name)
    if column.type.upper() in {"FLOAT", "DOUBLE", "REAL"}:
        return f"{q} IS NOT NULL AND NOT isnan({q})"
    if column.type.upper() == "VARCHAR":
        words = ", ".join(f"'{w}'" for w in _MISSING_WORDS)
        return f"{q} IS NOT NULL AND lower(trim({q})) NOT IN ({words})"
    return f"{q} IS NOT NULL"


def _sample_values(source: Source, column: Column) -> list[Any]:
    """Up to five distinct values present in ``column`` (missing ones left out)."""
    q = quote(column.name)
    sql = (
        f"SELECT DISTINCT {q} FROM "  # noqa: S608 (quoted identifier)
        f"(SELECT {q} FROM {source.relation} LIMIT {SAMPLE_ROWS}) "
        f"WHERE {_present(column)} ORDER BY 1 LIMIT 5"
    )
    values = [r[0] for r in source.query(sql)]
    if len(values) < 2:
        # The first rows may all be one class: look through the whole column once.
        sql = (
            f"SELECT DISTINCT {q} FROM {source.relation} "  # noqa: S608
            f"WHERE {_present(column)} ORDER BY 1 LIMIT 5"
        )
        values = [r[0] for r in source.query(sql)]
    return values


def _same(a: Any, b: Any) -> bool:
    """Equal values of the same kind (True is not the number 1 here)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def _matches(value: Any, text: str) -> bool:
    if isinstance(value, bool):
        return text.strip().lower() in ({"true", "1", "yes"} if value else {"false", "0", "no"})
    if isinstance(value, int | float):
        try:
            return float(text) == float(value)
        except ValueError:
            return False
    return str(value) == text


def _listed(values: Sequence[Any]) -> str:
    return ", ".join(_label(v)[:40] for v in values[:4])


def _labelled_positive(values: Sequence[Any], positive_label: str, where: str) -> Any:
    """The value the person named as positive; refused when it is not one of ``values``."""
    chosen = [v for v in values if _matches(v, positive_label)]
    if not chosen:
        raise ValidationError(
            f"Positive label {positive_label!r} is not a value of {where} "
            f"(its values: {_listed(values)})."
        )
    return chosen[0]


def _inferred_positive(values: Sequence[Any], role: str, name: str) -> Any:
    """The positive class of at most two values when it is beyond doubt; refused otherwise.

    True of booleans, 1 of the numbers 0 and 1, the positive word of a word pair (yes/no…). A
    single value is returned as it is, to be refused by the caller as one class only.
    """
    if len(values) == 1:
        return values[0]
    if all(isinstance(v, bool) for v in values):
        return True
    if all(isinstance(v, int | float) for v in values) and set(map(float, values)) == {0.0, 1.0}:
        return next(v for v in values if float(v) == 1.0)
    inferred = positive_from_words(values)
    if inferred is not None:
        return inferred
    todo = (
        "choose the positive label"
        if role == "Label"
        else "write predictions with the same values as the labels, or as 1 and 0"
    )
    raise ValidationError(
        f"Which value of {role.lower()} column {name} is the positive class? "
        f"Its values are {_listed(values)}: {todo}."
    )


def _binary_outcome(
    source: Source, column: Column, role: str, positive_label: str | None
) -> Outcome:
    values = _sample_values(source, column)
    listed = _listed(values)
    name = shown(column.name)
    if not values:
        if not source.query(f"SELECT 1 FROM {source.relation} LIMIT 1"):  # noqa: S608
            raise ValidationError(f"{source.name!r} has a header but no data rows.")
        raise ValidationError(
            f"{role} column {name} has no value in any row (only blanks or markers such as NA)."
        )
    if len(values) > 2:
        raise ValidationError(
            f"{role} column {name} has more than two values ({listed}"
            f"{', …' if len(values) > 4 else ''}): a binary outcome is needed."
        )
    if positive_label is not None:
        positive = _labelled_positive(values, positive_label, f"{role.lower()} column {name}")
    else:
        positive = _inferred_positive(values, role, name)
    others = [v for v in values if not _same(v, positive)]
    if not others:
        raise ValidationError(
            f"{role} column {name} holds only {_label(positive)!r}: both classes are "
            "needed to assess error rates."
        )
    return Outcome(column, positive, others[0])


def _prediction(
    source: Source, spec: AssessmentSpec, label: Outcome
) -> tuple[str, dict[str, Any], Outcome | None]:
    """SQL for the predicted-positive flag (NULL where it cannot be read) and its parameters."""
    if spec.y_pred is not None:
        column = source.column(spec.y_pred, "Prediction")
        values = _sample_values(source, column)
        if len(values) > 2:
            listed = ", ".join(_label(v)[:40] for v in values[:4])
            raise ValidationError(
                f"Prediction column {shown(column.name)} has more than two values ({listed}); "
                "for scores use a score column with a threshold."
            )
        if values and all(
            any(_same(v, x) for x in (label.positive, label.negative)) for v in values
        ):
            outcome = Outcome(column, label.positive, label.negative)
        else:
            # The positive label applies to predictions too when it is one of their values.
            chosen = spec.positive_label
            if chosen is not None and not any(_matches(v, chosen) for v in values):
                chosen = None
            outcome = _binary_outcome(source, column, "Prediction", chosen)
        q = quote(column.name)
        sql = f"CASE WHEN {q} = $p_pos THEN true WHEN {q} = $p_neg THEN false END"
        return sql, {"p_pos": outcome.positive, "p_neg": outcome.negative}, outcome
    column = source.column(spec.score or "", "Score")
    if not column.is_numeric:
        sample = _sample_values(source, column)[:1]
        example = f" (for example {_label(sample[0])[:40]!r})" if sample else ""
        comma = bool(sample) and re.fullmatch(r"\s*-?\d*,\d+\s*", str(sample[0])) is not None
        raise ValidationError(
            f"Score column {shown(column.name)} does not hold numbers{example}: scores must be "
            "numbers from 0 to 1."
            + (" It seems to use decimal commas: save it with decimal points." if comma else "")
        )
    q = f"CAST({quote(column.name)} AS DOUBLE)"
    sql = (
        f"CASE WHEN isnan({q}) OR {q} < 0 OR {q} > 1 THEN NULL "
        f"WHEN {q} >= $threshold THEN true WHEN {q} < $threshold THEN false END"
    )
    return sql, {"threshold": float(spec.threshold or 0.0)}, None


def _group_expr(column: Column, bands: Sequence[float] | None) -> str:
    q = quote(column.name)
    if bands:
        if not column.is_numeric:
            raise ValidationError(
                f"Only numeric columns can be banded; {shown(column.name)} does not hold numbers."
            )
        edges = [float(e) for e in bands]
        if not all(math.isfinite(e) for e in edges):
            raise ValidationError(f"Bands of {shown(column.name)} must be finite numbers.")
        parts = [f"WHEN {q} IS NULL THEN '{MISSING}'"]
        parts.append(f"WHEN {q} < {edges[0]!r} THEN '< {_num(edges[0])}'")
        for lo, hi in itertools.pairwise(edges):
            parts.append(f"WHEN {q} < {hi!r} THEN '{_num(lo)}–{_num(hi)}'")
        parts.append(f"ELSE '≥ {_num(edges[-1])}'")
        return "CASE " + " ".join(parts) + " END"
    return f"coalesce(CAST({q} AS VARCHAR), '{MISSING}')"


def _num(x: float) -> str:
    return f"{x:g}"


def _first_bad_row(source: Source, condition: str, params: dict[str, Any]) -> int | None:
    """The number (from 1) of the first data row where ``condition`` holds."""
    sql = (
        "SELECT min(rn) FROM (SELECT row_number() OVER () AS rn, "  # noqa: S608
        f"({condition}) AS bad FROM {source.relation}) WHERE bad"
    )
    # DuckDB refuses parameters the statement does not use (quoted names are not parameters).
    used = set(re.findall(r"\$(\w+)", re.sub(r'"(?:[^"]|"")*"', "", sql)))
    rows = source.query(sql, {k: v for k, v in params.items() if k in used})
    return int(rows[0][0]) if rows and rows[0][0] is not None else None


def _where(source: Source, row: int | None) -> str:
    if row is None:
        return ""
    if source.format is FileFormat.PARQUET:
        return f" (first at row {row})"
    if source.format is FileFormat.EXCEL:
        return f" (first at data row {row}, row {row + 1} of the sheet)"
    return f" (first at data row {row}, line {row + 1} of the file)"


_Entries = dict[tuple[str, ...], list[tuple[tuple[str, ...], tuple[int, ...]]]]


def _features_of(gid: int, sensitive: tuple[str, ...]) -> tuple[str, ...]:
    """The features of a GROUPING SETS row, from its GROUPING() bit mask (1: rolled up)."""
    k = len(sensitive)
    return tuple(f for i, f in enumerate(sensitive) if not (gid >> (k - 1 - i)) & 1)


def _collect(
    rows: list[tuple[Any, ...]], spec: AssessmentSpec, index: dict[str, int]
) -> tuple[_Entries, int, int]:
    """Per grouping its (group, cells) entries, and the unreadable labels and predictions.

    Each row is counted in every grouping, so the unreadable values are taken from the first.
    """
    k = len(spec.sensitive)
    by_grouping: _Entries = {g: [] for g in spec.groupings}
    bad_y = bad_p = 0
    first = spec.groupings[0]
    for row in rows:
        present = _features_of(row[k], spec.sensitive)
        cells = tuple(int(x) for x in row[k + 1 : k + 5])
        if present == first:
            bad_y += int(row[k + 5])
            bad_p += int(row[k + 6])
        group = tuple(str(row[index[f]]) for f in present)
        by_grouping[present].append((group, cells))
    return by_grouping, bad_y, bad_p


def _refuse_too_many_groups(by_grouping: _Entries) -> None:
    """Past the query's LIMIT some grouping has more than MAX_GROUPS groups among the rows read."""
    for features, entries in by_grouping.items():
        if len(entries) <= MAX_GROUPS:
            continue
        if len(features) == 1:
            raise ValidationError(
                f"Sensitive column {shown(features[0])} has more than {MAX_GROUPS:,} "
                "different values: too many groups to compare. Choose a column of groups, "
                "or give bands for a numeric column."
            )
        raise ValidationError(
            f"Crossing {' × '.join(shown(f, 40) for f in features)} gives more than "
            f"{MAX_GROUPS:,} groups: too many to compare; cross fewer columns."
        )


def _bad_prediction_message(spec: AssessmentSpec, bad: int) -> str:
    what = (
        f"prediction column {shown(spec.y_pred)} has {bad} missing value(s)"
        if spec.y_pred
        else f"score column {shown(spec.score or '')} has {bad} value(s) missing or outside [0, 1]"
    )
    return what[0].upper() + what[1:]


def _grouping_counts(by_grouping: _Entries) -> tuple[int, list[GroupingCounts]]:
    """The rows counted and each grouping's counts, its groups in :func:`group_order`."""
    groupings: list[GroupingCounts] = []
    n_rows = 0
    for features, entries in by_grouping.items():
        entries.sort(key=lambda e: group_order(e[0]))
        cells = np.array([e[1] for e in entries], dtype=np.float64).reshape(-1, 4)
        counts = Counts.unstack(cells)
        n_rows = int(counts.n.sum())
        groupings.append(GroupingCounts(features, [e[0] for e in entries], counts))
    return n_rows, groupings


def scan(source: Source, spec: AssessmentSpec) -> tuple[int, list[GroupingCounts], dict[str, Any]]:
    """Count every grouping of ``spec`` in one pass over ``source``."""
    label = _binary_outcome(
        source, source.column(spec.y_true, "Label"), "Label", spec.positive_label
    )
    pred_sql, params, pred_outcome = _prediction(source, spec, label)
    params = {**params, "y_pos": label.positive, "y_neg": label.negative}
    yq = quote(label.column.name)
    y_sql = f"CASE WHEN {yq} = $y_pos THEN true WHEN {yq} = $y_neg THEN false END"

    sensitive = [source.column(s, "Sensitive") for s in spec.sensitive]
    keys = [f"g{i}" for i in range(len(sensitive))]
    select_keys = ", ".join(
        f"{_group_expr(c, spec.bands.get(c.name))} AS {k}"
        for c, k in zip(sensitive, keys, strict=True)
    )
    index = {name: i for i, name in enumerate(spec.sensitive)}
    sets = ", ".join("(" + ", ".join(keys[index[f]] for f in g) + ")" for g in spec.groupings)
    sql = f"""
        SELECT {", ".join(keys)}, GROUPING({", ".join(keys)}) AS gid,
            count(*) FILTER (WHERE y AND p) AS tp,
            count(*) FILTER (WHERE NOT y AND p) AS fp,
            count(*) FILTER (WHERE y AND NOT p) AS fn,
            count(*) FILTER (WHERE NOT y AND NOT p) AS tn,
            count(*) FILTER (WHERE y IS NULL) AS bad_y,
            count(*) FILTER (WHERE p IS NULL) AS bad_p
        FROM (SELECT {y_sql} AS y, {pred_sql} AS p, {select_keys} FROM {source.relation})
        GROUP BY GROUPING SETS ({sets})
        LIMIT {MAX_GROUPS * len(spec.groupings) + 1}
    """  # noqa: S608 (identifiers quoted, values bound)
    rows = source.query(sql, params)
    by_grouping, bad_y, bad_p = _collect(rows, spec, index)
    _refuse_too_many_groups(by_grouping)
    if bad_y:
        row_no = _first_bad_row(source, f"({y_sql}) IS NULL", params)
        raise ValidationError(
            f"Label column {shown(label.column.name)} has {bad_y} missing or unreadable value(s)"
            f"{_where(source, row_no)}: every row needs a label."
        )
    if bad_p:
        row_no = _first_bad_row(source, f"({pred_sql}) IS NULL", params)
        raise ValidationError(_bad_prediction_message(spec, bad_p) + _where(source, row_no) + ".")
    n_rows, groupings = _grouping_counts(by_grouping)
    if spec.score is not None and n_rows:
        histograms = _score_histograms(
            source, spec, y_sql, params, select_keys, keys, index, groupings
        )
        groupings = [
            GroupingCounts(g.features, g.groups, g.counts, histograms[g.features])
            for g in groupings
        ]
    if n_rows == 0:
        raise ValidationError(f"{source.name!r} has a header but no data rows.")
    mapping = {
        "label": label.describe(),
        "prediction": pred_outcome.describe()
        if pred_outcome
        else f"{spec.score} ≥ {spec.threshold} is positive",
    }
    return n_rows, groupings, mapping


def _score_histograms(
    source: Source,
    spec: AssessmentSpec,
    y_sql: str,
    params: dict[str, Any],
    select_keys: str,
    keys: list[str],
    index: dict[str, int],
    groupings: list[GroupingCounts],
) -> dict[tuple[str, ...], ScoreHistogram]:
    """Score histograms per group and bin for every grouping, in one more scan."""
    column = source.column(spec.score or "", "Score")
    if not column.is_numeric:
        raise ValidationError(f"Score column {shown(column.name)} is not numeric ({column.type}).")
    sq = f"CAST({quote(column.name)} AS DOUBLE)"
    bins = ", ".join(
        "(" + ", ".join([*(keys[index[f]] for f in g), "bin"]) + ")" for g in spec.groupings
    )
    sql = f"""
        SELECT {", ".join(keys)}, GROUPING({", ".join(keys)}) AS gid, bin,
            count(*) FILTER (WHERE y) AS pos, count(*) FILTER (WHERE NOT y) AS neg,
            sum(s) AS s_sum, count(*) FILTER (WHERE bad) AS bad
        FROM (
            SELECT {y_sql} AS y, {sq} AS s,
                isnan({sq}) OR {sq} < 0 OR {sq} > 1 OR {sq} IS NULL AS bad,
                CAST(floor({sq} * {RESOLUTION} + 1e-6) AS INTEGER) AS bin, {select_keys}
            FROM {source.relation}
        )
        GROUP BY GROUPING SETS ({bins})
    """  # noqa: S608 (identifiers quoted, values bound)
    used = {k: v for k, v in params.items() if f"${k}" in sql}
    rows = source.query(sql, used)
    position = {g.features: {key: i for i, key in enumerate(g.groups)} for g in groupings}
    out = {g.features: ScoreHistogram.empty(len(g.groups)) for g in groupings}
    bad = 0
    for row in rows:
        present = _features_of(row[len(keys)], spec.sensitive)
        bin_, pos, neg, s_sum, n_bad = row[len(keys) + 1 : len(keys) + 6]
        if present == groupings[0].features:
            bad += int(n_bad)
        if bin_ is None or not 0 <= bin_ < BINS:
            continue
        group = tuple(str(row[index[f]]) for f in present)
        i = position[present][group]
        hist = out[present]
        hist.pos[i, bin_] += pos
        hist.neg[i, bin_] += neg
        hist.score_sum[i, bin_] += s_sum or 0.0
    if bad:
        raise ValidationError(
            f"Score column {shown(column.name)} has {bad} value(s) missing or outside [0, 1]: "
            "scores must be probabilities."
        )
    return out


def assess_file(
    path: Path,
    spec: AssessmentSpec,
    policy: Policy | None = None,
    *,
    display_name: str | None = None,
    caps: FileCaps | None = None,
) -> AssessmentResult:
    """Assess the prediction file at ``path``; bad input raises :class:`ValidationError`.

    ``caps`` bound the file's columns (and rows); the defaults are those of the command line.
    """
    policy = policy or Policy()
    with Source(Path(path), display_name=display_name, caps=caps) as source:
        n_rows, groupings, mapping = scan(source, spec)
    return analyse(n_rows, groupings, spec, policy, mapping)


def assess_arrays(
    *,
    y_true: Sequence[Any] | np.ndarray,
    y_pred: Sequence[Any] | np.ndarray,
    sensitive: dict[str, Sequence[Any] | np.ndarray],
    positive: Any = 1,
    intersect: bool = False,
    reference: dict[str, str] | None = None,
    policy: Policy | None = None,
) -> AssessmentResult:
    """Assess in-memory arrays with the same counts core (values compared to ``positive``)."""
    truth = np.asarray(y_true) == positive
    pred = np.asarray(y_pred) == positive
    spec = AssessmentSpec(
        y_true="y_true",
        y_pred="y_pred",
        sensitive=tuple(sensitive),
        intersect=intersect,
        reference=reference or {},
    )
    columns = {
        k: np.asarray(["(missing)" if v is None else str(v) for v in vals], dtype=object)
        for k, vals in sensitive.items()
    }
    groupings = []
    for features in spec.groupings:
        keys = list(zip(*(columns[f] for f in features), strict=True))
        index: dict[tuple[str, ...], int] = {}
        codes = np.fromiter(
            (index.setdefault(k, len(index)) for k in keys), dtype=np.intp, count=len(keys)
        )
        counts = counts_from_arrays(truth, pred, codes, len(index))
        seen = list(index)
        order = sorted(range(len(seen)), key=lambda i: group_order(seen[i]))
        ordered = Counts.unstack(counts.stack()[order])
        groupings.append(GroupingCounts(features, [seen[i] for i in order], ordered))
    mapping = {
        "label": f"y_true = {positive!r} is positive",
        "prediction": f"y_pred = {positive!r} is positive",
    }
    return analyse(len(truth), groupings, spec, policy or Policy(), mapping)
