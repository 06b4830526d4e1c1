"""The risk register page, per role: the heatmap and its cell list, the register and its
downloads, a risk's detail through ?risk=, the forms only for roles that may use them, bad
input refused with the field named, hostile text shown as text, the matrix and its editor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from governance.auth.roles import Role
from governance.risks import acceptance, plans
from governance.risks.models import Risk
from tests import factories
from tests.app.support import messages, ok, open_page, shown, signed_in, titles

pytestmark = pytest.mark.app
PAGE = "views/risks.py"
HOSTILE = "<img src=x onerror=alert(1)> **bold** [link](javascript:alert(1))"


@pytest.fixture
def people(make_user):
    return {
        "carla": make_user(Role.COMPLIANCE_OFFICER, "carla"),
        "olga": make_user(Role.COMPLIANCE_OFFICER, "olga"),
        "dana": make_user(Role.DATA_SCIENTIST, "dana"),
        "erin": make_user(Role.EXECUTIVE, "erin"),
        "aldo": make_user(Role.AUDITOR, "aldo"),
    }


def _page(username: str, tab: str | None = None, risk: int | None = None):
    at = signed_in(username)
    if risk is not None:
        at.query_params["risk"] = str(risk)
    open_page(at, PAGE)
    if tab is not None:
        at.session_state["risk_tabs"] = tab
        ok(at.run())
    assert titles(at) == ["Risk register"], messages(at, "error")
    return at


def _gen(at) -> int:
    return at.session_state["reg_form_gen"] if "reg_form_gen" in at.session_state else 0  # noqa: SIM401


def _field(at, kind: str, base: str):
    return getattr(at, kind)(key=f"{base}_{_gen(at)}")


def _button(at, label: str):
    [button] = [b for b in at.button if b.label == label]
    return button


def _count(workbench) -> int:
    with workbench.unit() as uow:
        return uow.session.scalar(select(func.count()).select_from(Risk))


def test_an_empty_register_says_what_to_do_next(people):
    at = _page("erin")
    assert any("No open risk" in m for m in messages(at, "info"))
    at = _page("erin", tab="Register")
    assert any("record the first risk" in m for m in messages(at, "info"))
    assert "Record risk" not in {b.label for b in at.button}  # executives read only


def test_the_heatmap_counts_a_cell_and_lists_its_risks(workbench, people):
    r = factories.make_risk(
        workbench,
        by=people["carla"],
        owner=people["dana"],
        likelihood=5,
        impact=4,
        title="Prompt injection",
    )
    factories.make_risk(workbench, by=people["carla"], owner=people["dana"], likelihood=2, impact=2)
    at = _page("erin")
    assert len(at.get("plotly_chart")) == 1
    assert {b.label for b in at.get("download_button")} >= {"PNG", "SVG", "PDF", "CSV", "Excel"}
    cell = at.selectbox(key="risk_heat_cell")
    assert cell.options[1].startswith("Likelihood 5 × impact 4 — critical — 1 risk")
    ok(cell.set_value((5, 4)).run())
    [table] = [df.value for df in at.dataframe if "title" in df.value.columns]
    assert table["id"].tolist() == [r.id]
    ok(at.segmented_control(key="risk_heat_view").set_value("residual").run())
    assert "residual" in at.get("plotly_chart")[0].proto.spec


def test_an_officer_records_a_risk_through_the_form(workbench, people):
    factories.make_model(workbench, by=people["dana"], name="scorer")
    at = _page("carla", tab="Register")
    _field(at, "selectbox", "risk_new_cat").set_value("privacy")
    _field(at, "text_input", "risk_new_title").set_value(HOSTILE)
    _field(at, "text_area", "risk_new_desc").set_value("Names in free text.")
    _field(at, "selectbox", "risk_new_lik").set_value(3)
    _field(at, "selectbox", "risk_new_imp").set_value(5)
    _field(at, "selectbox", "risk_new_owner").set_value(people["dana"].id)
    _field(at, "multiselect", "risk_new_models").set_value(["scorer"])
    ok(_button(at, "Record risk").click().run())
    assert messages(at, "success") == ["Risk 1 recorded: score 15, high."]
    [table] = [df.value for df in at.dataframe if "Title" in df.value.columns]
    assert table["Title"].tolist() == [HOSTILE]  # a table cell holds the text as it is
    assert table["Models"].tolist() == ["scorer"]
    detail = _page("erin", risk=1)
    assert detail.header[0].value == f"Risk 1: {detail.header[0].value.split(': ', 1)[1]}"
    assert shown(detail.header[0].value) == f"Risk 1: {HOSTILE}"  # escaped, shown as typed
    assert "<img" not in detail.header[0].value.replace("\\<img", "")


@pytest.mark.parametrize(
    ("likelihood", "owner", "message"),
    [
        (None, "dana", "Likelihood: give a whole number from 1 to 5."),
        (3, None, "Owner: choose the account responsible."),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    workbench, people, likelihood, owner, message
):
    at = _page("dana", tab="Register")
    _field(at, "selectbox", "risk_new_cat").set_value("safety")
    _field(at, "text_input", "risk_new_title").set_value("Unsafe advice")
    _field(at, "text_area", "risk_new_desc").set_value("d")
    if likelihood:
        _field(at, "selectbox", "risk_new_lik").set_value(likelihood)
    _field(at, "selectbox", "risk_new_imp").set_value(4)
    if owner:
        _field(at, "selectbox", "risk_new_owner").set_value(people[owner].id)
    ok(_button(at, "Record risk").click().run())
    assert messages(at, "error") == [message]
    assert _count(workbench) == 0
    assert _field(at, "text_input", "risk_new_title").value == "Unsafe advice"  # kept


def test_the_register_flags_overdue_plans_and_offers_every_match(workbench, people):
    import dataclasses

    risk = factories.make_risk(workbench, by=people["carla"], owner=people["dana"])
    past = dataclasses.replace(workbench, clock=lambda: datetime.now(UTC) - timedelta(days=10))
    past.run(
        plans.add_plan,
        actor=people["carla"].actor(),
        risk_id=risk.id,
        strategy="s",
        owner_id=people["dana"].id,
        deadline=(datetime.now(UTC) - timedelta(days=3)).date(),
    )
    at = _page("aldo", tab="Register")
    [table] = [df.value for df in at.dataframe if "Title" in df.value.columns]
    assert table["Overdue plans"].tolist() == ["1 overdue"]
    assert any("overdue" in m for m in messages(at, "warning"))
    detail = _page("aldo", risk=risk.id)
    assert any("overdue" in m for m in messages(detail, "warning"))
    assert "Add plan" not in {b.label for b in detail.button}  # an auditor reads only


def test_the_detail_offers_each_role_its_forms(workbench, people):
    risk = factories.make_risk(workbench, by=people["carla"], owner=people["carla"])
    officer = _page("olga", risk=risk.id)
    labels = {b.label for b in officer.button}
    assert {"Accept risk", "Move", "Add plan", "Save changes"} <= labels
    owner = _page("carla", risk=risk.id)
    assert "Accept risk" not in {b.label for b in owner.button}
    assert any("You own this risk" in c.value for c in owner.caption)
    scientist = _page("dana", risk=risk.id)
    labels = {b.label for b in scientist.button}
    assert "Move" in labels and "Accept risk" not in labels
    reader = _page("erin", risk=risk.id)
    assert not {"Accept risk", "Move", "Add plan"} & {b.label for b in reader.button}


def test_an_officer_accepts_and_mitigates_through_the_detail(workbench, people):
    risk = factories.make_risk(workbench, by=people["carla"], owner=people["dana"])
    at = _page("olga", risk=risk.id)
    ok(_field(at, "selectbox", f"risk_move_to_{risk.id}").set_value("mitigating").run())
    _field(at, "text_area", f"risk_move_why_{risk.id}").set_value("work begins")
    ok(_button(at, "Move").click().run())
    assert messages(at, "success") == [f"Risk {risk.id} is now mitigating."]
    _field(at, "text_area", f"risk_accept_why_{risk.id}").set_value("within appetite")
    ok(_button(at, "Accept risk").click().run())
    assert messages(at, "error") == ["Expiry: an acceptance needs an expiry date (YYYY-MM-DD)."]
    until = datetime.now(UTC).date() + timedelta(days=20)
    _field(at, "date_input", f"risk_accept_until_{risk.id}").set_value(until)
    ok(_button(at, "Accept risk").click().run())
    assert messages(at, "success") == [f"Risk {risk.id} accepted."]
    assert any("Accepted until" in m for m in messages(at, "info"))


def test_the_matrix_tab_shows_the_bands_and_only_officers_edit_them(workbench, people):
    at = _page("erin", tab="Matrix")
    assert len(at.get("plotly_chart")) == 1
    assert "Put in force" not in {b.label for b in at.button}
    at = _page("carla", tab="Matrix")
    _field(at, "text_area", "risk_matrix_reason").set_value("unchanged")
    ok(_button(at, "Put in force").click().run())
    assert messages(at, "error") == ["Matrix: the matrix is unchanged."]


def test_the_trend_tab(workbench, people):
    at = _page("erin", tab="Trend")
    assert any("No risk was open" in m for m in messages(at, "info"))
    factories.make_risk(workbench, by=people["carla"], owner=people["dana"])
    at = _page("erin", tab="Trend")
    assert len(at.get("plotly_chart")) == 1


def test_a_bad_or_unknown_link(people):
    at = signed_in("erin")
    at.query_params["risk"] = "abc"
    open_page(at, PAGE)
    assert any("does not name a risk" in m for m in messages(at, "warning"))
    at = _page("erin", risk=99)
    assert messages(at, "error") == ["No risk with number 99."]


def test_acceptance_survives_the_page(workbench, people):
    risk = factories.make_risk(workbench, by=people["carla"], owner=people["dana"])
    workbench.run(
        acceptance.accept_risk,
        actor=people["olga"].actor(),
        risk_id=risk.id,
        justification="ok",
        expires_on=datetime.now(UTC).date() + timedelta(days=3),
    )
    at = _page("erin", risk=risk.id)
    [frame] = [df.value for df in at.dataframe if "Accepted by" in df.value.columns]
    assert frame["Accepted by"].tolist() == ["olga"]
