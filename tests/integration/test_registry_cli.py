"""``python -m governance registry …`` as a separate process: a version's way to production,
JSON output, the deployed-on question, and refusals as exit 2 without a traceback."""

from __future__ import annotations

import json

from tests.factories import SHA
from tests.integration.test_cli import cli, create


def test_a_version_from_registration_to_production(sqlite_url):
    url = sqlite_url
    assert create(url, "root", "admin").returncode == 0
    assert create(url, "sci", "data_scientist").returncode == 0
    assert create(url, "officer", "compliance_officer").returncode == 0

    def run(*args: str, actor: str = "sci"):
        return cli(url, "registry", "--actor", actor, *args)

    registered = run("register", "Credit Scorer", "--provider", "in-house", "--risk-tier",
                     "limited", "--intended-use", "Loans", "--baseline", "accuracy >= 0.8",
                     "--format", "json")  # fmt: skip
    assert registered.returncode == 0, registered.stderr
    assert json.loads(registered.stdout)["owner"] == "sci"
    model = ("credit scorer", "1.0.0")
    steps = [
        (
            "add-version",
            *model,
            "--changelog",
            "first",
            "--artifact-uri",
            "s3://m",
            "--sha256",
            SHA,
        ),
        ("validate", *model, "--observed", "accuracy=0.91", "--reason", "nightly"),
        ("transition", *model, "--to", "pending_approval", "--reason", "ready"),
    ]
    for step in steps:
        done = run(*step)
        assert done.returncode == 0, (step, done.stderr)
    own = run("approve", *model, "--row-version", "3", "--reason", "mine")
    assert own.returncode == 2 and "cannot approve" in own.stderr and "Traceback" not in own.stderr
    stale = run("approve", *model, "--row-version", "2", "--reason", "ok", actor="officer")
    assert stale.returncode == 2 and "meanwhile" in stale.stderr
    assert (
        run("approve", *model, "--row-version", "3", "--reason", "ok", actor="officer").returncode
        == 0
    )
    deployed = run("deploy", *model, "--environment", "production", "--reason", "go")
    assert deployed.returncode == 0, deployed.stderr
    versions = json.loads(run("versions", "credit scorer", "--format", "json").stdout)
    assert [(v["version"], v["status"]) for v in versions] == [("1.0.0", "deployed")]
    today = versions[0]["created_at"][:10]
    asked = run("history", "credit scorer", "--environment", "production", "--on", today,
                "--format", "json")  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    assert [(d["version"], d["approved_by"]) for d in json.loads(asked.stdout)] == [
        ("1.0.0", ["officer"])]  # fmt: skip
    steps = run("history", *model).stdout.splitlines()
    assert [line.split("\t")[1] for line in steps][-1] == "approved -> deployed"
    illegal = run("transition", *model, "--to", "retired", "--reason", "x")
    assert illegal.returncode == 2
    assert (
        "cannot become retired; it can only become: approved, deployed, deprecated"
        in illegal.stderr
    )
    bad = run("add-version", "credit scorer", "1.0", "--changelog", "c", "--artifact-uri", "u",
              "--sha256", SHA)  # fmt: skip
    assert bad.returncode == 2 and "Version '1.0' is not a semantic version" in bad.stderr
