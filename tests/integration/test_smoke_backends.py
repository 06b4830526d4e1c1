from governance.audit.service import verify_chain


def test_first_admin_is_audited_on_each_backend(uow, admin):
    report = verify_chain(uow)
    assert report.intact and report.events_checked == 1
