from governance.audit.service import verify_chain


def test_first_admin_is_audited_on_each_backend(session, admin):
    report = verify_chain(session)
    assert report.intact and report.events_checked == 1
