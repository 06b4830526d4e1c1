"""The permission matrix itself: shape and invariants."""

from __future__ import annotations

import pytest

from governance.auth.roles import (
    ACTION_PHRASES,
    PERMISSIONS,
    READ_ACTIONS,
    READ_ONLY_ROLES,
    Action,
    Role,
    is_allowed,
    parse_role,
)
from governance.errors import ValidationError


def test_every_action_has_a_row_and_a_phrase():
    assert set(PERMISSIONS) == set(Action)
    assert set(ACTION_PHRASES) == set(Action)


@pytest.mark.parametrize("role", sorted(READ_ONLY_ROLES))
def test_read_only_roles_are_granted_no_change(role):
    granted = {a for a in Action if is_allowed(role, a)}
    assert granted <= READ_ACTIONS


def test_auditors_may_export_and_executives_may_not_read_the_trail():
    assert is_allowed(Role.AUDITOR, Action.AUDIT_EXPORT)
    assert not is_allowed(Role.EXECUTIVE, Action.AUDIT_READ)


def test_only_admins_manage_accounts():
    for action in (Action.USER_CREATE, Action.USER_CHANGE_ROLE, Action.USER_DEACTIVATE):
        assert {r for r in Role if is_allowed(r, action)} == {Role.ADMIN}


def test_unknown_role_is_allowed_nothing():
    assert not any(is_allowed("wizard", a) for a in Action)


def test_parse_role_accepts_case_and_spaces_and_names_valid_roles_on_error():
    assert parse_role(" Auditor ") is Role.AUDITOR
    with pytest.raises(ValidationError, match="compliance_officer"):
        parse_role("wizard")
