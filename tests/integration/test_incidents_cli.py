"""``python -m governance incidents …`` as a separate process, on both backends: an incident
from its report to its close in JSON, the cron sweep idempotent, refusals as exit 2 naming
the field without a traceback."""

from __future__ import annotations

import json

from tests.integration.test_cli import cli, create


def test_an_incident_from_report_to_close(db_url):
    url = db_url
    for name, role in (("root", "admin"), ("sam", "data_scientist"),
                       ("olivia", "compliance_officer")):  # fmt: skip
        assert create(url, name, role).returncode == 0

    def run(*args: str, actor: str = "olivia"):
        return cli(url, "incidents", "--actor", actor, *args)

    reported = run("report", "--type", "security", "--severity", "critical", "--title",
                   "Key in a log", "--description", "d", "--detected-at", "now", "--serious",
                   "--format", "json", actor="sam")  # fmt: skip
    assert reported.returncode == 0, reported.stderr
    incident = json.loads(reported.stdout)
    assert incident["escalation_level"] == 1 and incident["report_due_at"]
    ident = str(incident["id"])
    assert run("escalate", "--format", "json").stdout.strip() == "[]"  # nothing due yet
    refused = run("close", ident)
    assert refused.returncode == 2
    assert "Status: an incident that is open cannot become closed" in refused.stderr
    assert "Traceback" not in refused.stderr
    no_cause = run("transition", ident, "--to", "resolved")
    assert no_cause.returncode == 2 and "Root cause is required" in no_cause.stderr
    for step in (("acknowledge", ident), ("transition", ident, "--to", "investigating",
                                           "--reason", "on it")):  # fmt: skip
        assert run(*step).returncode == 0
    missing = run("resolve", ident, "--root-cause", " ")
    assert missing.returncode == 2 and "Root cause is required" in missing.stderr
    assert run("resolve", ident, "--root-cause", "debug logging").returncode == 0
    blocked = run("close", ident)
    assert blocked.returncode == 2 and "Post-mortem:" in blocked.stderr
    assert run("postmortem", ident, "--timeline", "t", "--lessons", "l",
               "--measure", "lint for secrets").returncode == 0  # fmt: skip
    assert run("close", ident).returncode == 0
    shown = json.loads(run("show", ident, "--format", "json").stdout)
    assert shown["incident"]["status"] == "closed"
    assert shown["report_clock"]["state"] == "running"
    assert [m["description"] for m in shown["postmortem"]["measures"]] == ["lint for secrets"]
    listed = json.loads(run("list", "--format", "json").stdout)
    assert listed["total"] == 1 and listed["incidents"][0]["id"] == incident["id"]
    metrics = json.loads(run("metrics", "--format", "json").stdout)
    assert metrics["open_by_severity"][0] == {"severity": "critical", "open": 0}
    future = run("report", "--type", "data", "--severity", "low", "--title", "t",
                 "--description", "d", "--detected-at", "2999-01-01T00:00Z")  # fmt: skip
    assert future.returncode == 2 and "Detected at cannot be in the future" in future.stderr
    policy = run("policy", "--set", "report_days=20", "--reason", "laxer")
    assert policy.returncode == 2 and "1 to 15 days (Art. 73)" in policy.stderr
