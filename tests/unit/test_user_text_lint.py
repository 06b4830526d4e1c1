"""No text reaches a markdown-rendering Streamlit call without ``ui.text`` unless it is ours.

The check reads ``app.py``, ``views/`` and ``ui/`` as syntax trees. A *markdown context* is
where Streamlit renders markdown (see ``ui/text.py``): the body of ``st.markdown``, ``caption``,
``write``, ``title``/``header``/``subheader``, the alerts, ``toast`` and ``spinner``; the label
of a widget, button, tab, expander or metric (and a metric's value and delta); every ``help=``;
the messages given to ``flash`` and ``submit``. In a markdown context every value put into the
text must be a string literal, a call of ``markdown_text``/``label_text``/``help_text``, a
number or date with a format spec, or an expression listed in :data:`OURS` with the reason it
is the workbench's own text. Anything else — a new name, a new f-string field — fails here:
escape it, or add it to :data:`OURS` if it holds no user text.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "app.py", *sorted((ROOT / "views").rglob("*.py")),
           *sorted((ROOT / "ui").rglob("*.py"))]  # fmt: skip
HELPERS = {"markdown_text", "label_text", "help_text"}
# Calls whose result is our own text (times and counts).
OWN_TEXT_CALLS = {"local_time", "time_ago", "len"}

BODY_METHODS = {"markdown", "caption", "write", "title", "header", "subheader", "info",
                "success", "warning", "error", "toast", "spinner", "flash"}  # fmt: skip
LABEL_METHODS = {"text_input", "text_area", "number_input", "selectbox", "multiselect",
                 "slider", "select_slider", "checkbox", "toggle", "radio", "button",
                 "download_button", "form_submit_button", "file_uploader", "date_input",
                 "time_input", "color_picker", "segmented_control", "pills", "expander",
                 "popover", "status", "tabs", "page_link", "metric"}  # fmt: skip
# Labelled calls whose first argument is the page, not the label (given as ``label=``).
PAGE_FIRST = {"page_link"}
# Options rendered as markdown: given as data, they need a format_func that escapes.
MARKDOWN_OPTIONS = {"segmented_control", "pills", "radio"}

# Expressions that hold only the workbench's own text, per file, with the reason.
OURS: dict[str, dict[str, str]] = {
    "app.py": {"user.role.label": "a role's name"},
    "views/account.py": {
        "user.role.label": "a role's name",
        "MIN_PASSWORD_LENGTH": "a number",
    },
    "views/overview.py": {
        "user.role.label": "a role's name",
        "panel.title": "panels are written by the domains (governance.overview.Panel)",
        "panel.alert": "idem",
        "panel.note": "idem",
        "panel.next_step": "idem",
        "tile.label": "idem",
        "tile.help": "idem",
        "value": "markdown_text of a text tile value, or a number",
        "ROLE_DESCRIPTIONS[user.role]": "our description of a role",
    },
    "views/users.py": {
        "created.role.label": "a role's name",
        "changed.role.label": "a role's name",
        "role_help": "our descriptions of the roles",
        "MIN_PASSWORD_LENGTH": "a number",
        "_FIRST_SIGN_IN if created.must_change_password else ''": "our sentence or nothing",
    },
    "views/audit_trail.py": {
        "report.summary()": "the chain check's own words and numbers",
        "matching": "a count",
    },
    "ui/audit.py": {
        "_LIMITS": "our sentence",
        "result.summary()": "the chain check's own words and numbers",
        "'  \\n'.join(lines)": "numbers, hashes and markdown_text of the checkpoint's issuer",
    },
    "ui/auth.py": {
        "MIN_PASSWORD_LENGTH": "a number",
        "rules.lockout_threshold": "a number",
        "rules.lockout_minutes": "a number",
    },
    "ui/registry/card.py": {
        "label": "a format's name",
        "card_markdown(card, level=3)": "governance.reports escapes every value in it",
    },
    "ui/registry/performance.py": {
        "verdict": "'meets' or 'is below'",
        "where": "one of our two sentences",
        "max_mb": "a number (a setting)",
        "text": "built of counts and markdown_text",
    },
    "ui/risks/detail.py": {
        "level_label(risk.level)": "a level's name (an enum) and its icon",
        "residual": "a number and a level's name",
        "risk.status": "a status (an enum, CHECK-constrained)",
        "risk.category.replace('_', '-')": "a category (an enum, CHECK-constrained)",
        "', '.join((markdown_text(m) for m in risk.models))": "markdown_text of each name",
        "moved": "two statuses (enums)",
        "plan.status.replace('_', ' ')": "a plan status (CHECK-constrained)",
        "flag": "our word or nothing",
        "note.status.replace('_', ' ')": "a plan status (CHECK-constrained)",
    },
    "ui/risks/forms.py": {
        "r.level": "a level's name (an enum)", "target": "a status (an enum)",
        "label": "'' or 'Residual '",
    },
    "ui/risks/heatmap.py": {"VIEWS.get": "our two words", "RECORD_BY_CLI": "our sentence"},
    "ui/risks/listing.py": {
        "RECORD_BY_CLI": "our sentence", "shown": "our words and a number, or nothing",
    },
    "ui/feedback.py": {"message": "flash's callers escape (checked here as flash contexts)"},
    "ui/downloads.py": {
        "missing": "why chart images cannot be made (our sentence)",
        "fmt.upper()": "PNG, SVG or PDF",
    },
    "ui/work.py": {
        "success": "a message checked where submit is called",
        "success(value)": "idem",
        "value": "the service's result passed to the success callable, not text",
    },
    "views/notifications.py": {"EMPTY": "our sentence"},
    "views/registry.py": {"status_label(version.info.status)": "a status's name"},
    "ui/registry/changes.py": {
        "success": "a message checked where this submit is called",
        "success(value)": "idem",
        "value": "the service's result passed to the success callable, not text",
        "label": "our field names, given by the forms",
    },
    "ui/registry/watch.py": {
        "said": "our sentences with counts and markdown_text of usernames",
        "verb": "'You now watch' or 'You no longer watch'",
    },
    "ui/registry/fairness.py": {
        "latest['Verdict']": "a verdict's name",
        "_ratio(latest['Lowest DI ratio'])": "a number",
    },
    "ui/registry/detail.py": {
        "tier_label(dossier.model.risk_tier).lower()": "a tier's name",
        "needed": "a number", "given": "a number",
        "title": "our section titles", "tier_label(m.risk_tier)": "a tier's name",
        "moved": "status names", "where": "markdown_text of an environment, or nothing",
        "verdict": "passed or failed",
    },
    "ui/registry/forms.py": {"target.get('direction')": ">= or <=, as the baseline parsed it"},
    "ui/registry/lifecycle.py": {
        "blocked": "our sentences (why_no_decision)",
        "verb": "Retire or Deprecate",
        "verb.lower()": "idem",
        "consequence": "our sentence",
        "r.status.replace('_', ' ')": "a status code",
    },
    "views/incidents.py": {"TABS": "our tab names"},
    "ui/incidents/detail.py": {
        "type_label(info.incident_type)": "an incident type's name",
        "harm_label(info.harm_category)": "a harm category's name",
        "people": "a count or 'not known'",
        "clock.text().removeprefix('overdue by ')": "a duration in our words",
        "clock.text()": "a duration in our words",
        "basis(info.impact)": "an article of the Act",
        "waited": "a duration in our words (deadlines.duration)",
        "'\\n'.join(items)": "numbered items of markdown_text",
        "'\\n'.join(lines)": "list items of local_time and markdown_text (_timeline_line)",
    },
    "ui/incidents/forms.py": {
        "label": "our field names, given by the forms",
        "suffix": "' (optional)' or nothing",
        "info.severity": "a severity code",
    },
    "ui/incidents/listing.py": {"who": "one of our two sentences"},
    "ui/incidents/policy.py": {"s.value.capitalize()": "a severity's name"},
    "ui/fairness/policy.py": {"version.version": "a number", "current.version": "a number"},
    "ui/fairness/history.py": {"saved.file_sha256": "a SHA-256 in hex"},
    "ui/fairness/tables.py": {"definition": "a metric's definition from our registry"},
    "ui/fairness/results.py": {
        "word": "PASS, FAIL or INSUFFICIENT DATA",
        "shown.policy_name": "our phrase",
        "metric.label": "registry",
        "metric.definition": "registry",
        "limit.text": "policy",
        "interval": "numbers formatted above",
        "SHORT_SUMMARY_LABELS.get(key, metric.label)": "registry",
        "'breaks' if breached else 'within'": "ours",
    },
    "ui/fairness/assess.py": {
        "overview.format": "a file format's name",
        "max_mb": "a number",
        "assessment_id": "a number",
        "assessed.saved_id": "a number",
    },
}


def _text_arguments(call: ast.Call, name: str) -> Iterator[ast.expr]:
    """The arguments of ``call`` (to method or function ``name``) that Streamlit renders."""
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    if "help" in keywords:
        yield keywords["help"]
    if name in PAGE_FIRST:
        label = call.args[1] if len(call.args) > 1 else keywords.get("label")
        if label is not None:
            yield label
    elif name in BODY_METHODS | LABEL_METHODS:
        first = call.args[0] if call.args else keywords.get("body", keywords.get("label"))
        if first is not None:
            yield first
    if name == "metric":
        yield from call.args[1:3]
        yield from (keywords[k] for k in ("value", "delta") if k in keywords)
    if name == "submit" and len(call.args) > 1:
        yield call.args[1]  # the success message (or a function making it)
    if name in MARKDOWN_OPTIONS and "format_func" in keywords:
        yield keywords["format_func"]


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return call.func.id if isinstance(call.func, ast.Name) else None


class _Checker:
    def __init__(self, path: Path) -> None:
        self.rel = str(path.relative_to(ROOT))
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.ours = OURS.get(self.rel, {})
        self.functions = {f.name: f for f in ast.walk(self.tree) if isinstance(f, ast.FunctionDef)}
        self.problems: list[str] = []

    def run(self) -> list[str]:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call) and (name := _called_name(node)):
                for arg in _text_arguments(node, name):
                    self._text(arg, name)
        return self.problems

    def _flag(self, node: ast.expr, where: str) -> None:
        source = ast.unparse(node)
        if source not in self.ours:
            self.problems.append(f"{self.rel}:{node.lineno} {where}(… {source} …)")

    def _text(self, node: ast.expr, where: str) -> None:
        """``node`` is text that ``where`` renders as markdown."""
        match node:
            case ast.Constant():
                return  # a literal string, or None for an empty metric
            case ast.Call() if _called_name(node) in HELPERS | OWN_TEXT_CALLS:
                return
            case ast.Name(id=helper) if helper in HELPERS and where in MARKDOWN_OPTIONS:
                return  # format_func=label_text
            case ast.JoinedStr():
                for part in node.values:
                    if isinstance(part, ast.FormattedValue):
                        self._field(part, where)
            case ast.BinOp(op=ast.Add()):
                self._text(node.left, where)
                self._text(node.right, where)
            case ast.IfExp():
                self._text(node.body, where)
                self._text(node.orelse, where)
            case ast.Lambda():
                self._text(node.body, where)
            case ast.List() | ast.Tuple():
                for element in node.elts:
                    self._text(element, where)
            case ast.Name(id=fn) if fn in self.functions and fn not in self.ours:
                self._returns(self.functions[fn], where)
            case _:
                self._flag(node, where)

    def _field(self, part: ast.FormattedValue, where: str) -> None:
        if part.format_spec is not None:
            return  # numbers and dates
        value = part.value
        if isinstance(value, ast.Call) and _called_name(value) in HELPERS | OWN_TEXT_CALLS:
            return
        if isinstance(value, ast.Constant) or (
            isinstance(value, ast.IfExp) and ast.unparse(value) in self.ours
        ):
            return
        self._text(value, where)

    def _returns(self, function: ast.FunctionDef, where: str) -> None:
        """A success message made by a function: each string it returns is checked."""
        for node in ast.walk(function):
            if isinstance(node, ast.Return) and node.value is not None:
                self._text(node.value, where)


def _problems(path: Path) -> list[str]:
    return _Checker(path).run()


def test_user_text_reaches_markdown_only_through_ui_text():
    problems = [p for path in SOURCES for p in _problems(path)]

    assert problems == [], "\n".join(problems)


def test_the_check_finds_unescaped_text(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    page = tmp_path / "views" / "page.py"
    page.parent.mkdir()
    page.write_text(
        "import streamlit as st\n"
        "from ui.text import help_text, label_text, markdown_text\n"
        "st.caption(f'by {user.display_name}')\n"  # flagged
        "st.caption(f'by {markdown_text(user.display_name)}, {n:,} rows, at {local_time(t)}')\n"
        "left.selectbox(f'Reference for {column}', options)\n"  # flagged
        "st.text_input('x', help=f'{label_text(a)} and {b}')\n"  # b flagged
        "st.segmented_control('Grouping', names, format_func=str)\n"  # flagged
        "st.segmented_control('Grouping', names, format_func=label_text)\n"
        "st.error(str(exc))\n"  # flagged
        "col.metric('Lowest', name)\n"  # flagged: a metric's value is markdown
        "def said(x):\n    return f'Saved {x.name}.'\n"  # flagged through submit
        "submit(save, said, actor=a)\n"
        "submit(save, lambda r: f'{markdown_text(r.name)} saved.', actor=a)\n"
        "st.dataframe(frame, column_config={'a': f'{column}'})\n"  # plain text: not a context
        "st.column_config.Column(name, help=help_text)\n"  # flagged: a variable, not the helper
        "st.page_link(path, label=f'{item.title}')\n"  # flagged: the label, not the page
        "st.page_link(path, label='Open', query_params=query)\n"
    )

    found = _problems(page)

    assert [p.split(" ", 1)[0] for p in found] == [
        f"views/page.py:{n}" for n in (3, 5, 6, 7, 9, 10, 12, 16, 17)
    ], found
