"""Helpers shared by the AppTest page tests (driving forms, reading results)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from governance.artifacts import ArtifactStore
from governance.audit.models import AuditEvent
from governance.auth import service as auth
from governance.auth.models import User
from governance.auth.roles import Role
from governance.auth.service import UserInfo
from governance.config import load_settings
from governance.db import Database
from governance.kernel import Workbench
from tests.payloads import as_read
from ui.text import WORD_JOINER

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
PASSWORD = "correct horse battery staple"
LOGIN_SUBMIT = "FormSubmitter:login_form-Sign in"
SETUP_SUBMIT = "FormSubmitter:setup_form-Create administrator"

# The screens, as app.py's navigation names them (relative to app.py).
OVERVIEW = "views/overview.py"
AUDIT_TRAIL = "views/audit_trail.py"
USERS = "views/users.py"
ACCOUNT = "views/account.py"
FAIRNESS = "views/fairness.py"
REGISTRY = "views/registry.py"


def ok(at: AppTest) -> AppTest:
    """``at`` after a run that raised nothing (an uncaught exception shows as an element)."""
    assert not at.exception, [e.value for e in at.exception]
    return at


def new_app() -> AppTest:
    """A fresh browser session on the app, after its first run."""
    return ok(AppTest.from_file(APP, default_timeout=30).run())


def new_app_on(path: str) -> AppTest:
    """A new session whose first request is the page ``path`` (a bookmarked page URL)."""
    return ok(AppTest.from_file(APP, default_timeout=30).switch_page(path).run())


def sign_in(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    """Fill and submit the sign-in form that ``at`` currently shows."""
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    return ok(at.button(key=LOGIN_SUBMIT).click().run())


def signed_in(username: str, password: str = PASSWORD) -> AppTest:
    """A new session signed in through the form; fails unless it lands on the Overview."""
    at = sign_in(new_app(), username, password)
    assert titles(at) == ["Overview"], (titles(at), messages(at, "error"))
    return at


OWN_PASSWORD = "a passphrase of my own"
FIRST_PASSWORD_SUBMIT = "FormSubmitter:first_password_form-Set password and continue"


def first_sign_in(username: str, given: str = PASSWORD, own: str = OWN_PASSWORD) -> AppTest:
    """A new session of an account an administrator made: signed in, its own password chosen
    (the gate asks first), landed on the Overview."""
    at = sign_in(new_app(), username, given)
    assert titles(at) == ["Choose your own password"], (titles(at), messages(at, "error"))
    at.text_input(key="first_pw_current").input(given)
    at.text_input(key="first_pw_new").input(own)
    at.text_input(key="first_pw_2").input(own)
    ok(at.button(key=FIRST_PASSWORD_SUBMIT).click().run())
    assert titles(at) == ["Overview"], (titles(at), messages(at, "error"))
    return at


def open_page(at: AppTest, path: str) -> AppTest:
    return ok(at.switch_page(path).run())


# The create form's widgets are keyed by a generation counter that moves on after each
# success (that is how the form empties); the helpers find them by their base key or label.
def form_generation(at: AppTest) -> int:
    return at.session_state["new_user_form_gen"]


def new_user_field(at: AppTest, field: str) -> Any:
    return at.text_input(key=f"new_{field}_{form_generation(at)}")


def create_via_form(
    at: AppTest, username: str, password: str, role: Role | None = None, **extra: str
) -> AppTest:
    """Fill and submit the users page's "Create an account" form."""
    new_user_field(at, "username").input(username)
    new_user_field(at, "password").input(password)
    for field, value in extra.items():
        new_user_field(at, field).input(value)
    if role is not None:
        at.selectbox(key=f"new_role_{form_generation(at)}").set_value(role)
    [submit] = [b for b in at.button if b.label == "Create account"]
    return ok(submit.click().run())


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def messages(at: AppTest, kind: str) -> list[str]:
    """Texts of the ``error``/``warning``/``info``/``success`` elements, as a reader sees them."""
    return [shown(m.value) for m in getattr(at, kind)]


def sidebar_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.sidebar.markdown)


def shows_login_form(at: AppTest) -> bool:
    return "login_username" in {t.key for t in at.text_input}


def shows_setup_form(at: AppTest) -> bool:
    return "setup_username" in {t.key for t in at.text_input}


def events(store: Database, action: str | None = None) -> list[AuditEvent]:
    with store.session() as session:
        stmt = select(AuditEvent).order_by(AuditEvent.id)
        if action is not None:
            stmt = stmt.where(AuditEvent.action == action)
        return list(session.scalars(stmt))


def _workbench(store: Database) -> Workbench:
    settings = load_settings()  # the app's, from the environment the fixtures set
    return Workbench(store, settings, ArtifactStore(settings.artifact_dir))


def user_named(store: Database, username: str) -> UserInfo | None:
    with _workbench(store).unit() as uow:
        user = uow.session.scalars(select(User).where(User.username == username)).first()
        return auth.get_user(uow, user.id) if user else None


def user_count(store: Database) -> int:
    return _workbench(store).run(auth.user_count)


def shown(markdown: str) -> str:
    """What a reader sees of ``markdown`` that uses only backslash escapes (escapes removed)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(WORD_JOINER, "")


# The text ``source`` displays when every markup character in it is escaped (else it fails).
markdown_literal = as_read
