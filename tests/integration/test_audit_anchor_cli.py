"""Anchoring the audit trail outside the database, through the real CLI, on both backends.

A chain alone cannot see its newest events removed, nor a history rewritten with every later
hash recomputed. A signed checkpoint kept elsewhere can; proofs against checkpoints are checked
by scripts/verify_audit_proof.py, which knows nothing of the workbench.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text

from governance.audit.events import AuditAction, Event, Resource
from tests.integration import tamper

ROOT = Path(__file__).resolve().parents[2]
VERIFIER = ROOT / "scripts" / "verify_audit_proof.py"
# Fixed test keys (never used anywhere else): parametrised ids must be the same in every
# pytest-xdist worker.
KEY, OTHER_KEY = "1f" * 32, "2e" * 32


def public_of(private_hex: str) -> str:
    raw = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(private_hex)).public_key()
    return raw.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


PUBLIC, OTHER_PUBLIC = public_of(KEY), public_of(OTHER_KEY)


def cli(db_url: str, *args: str, key: str | None = KEY, public: str | None = None):
    env = {**os.environ, "GOVERNANCE_DATABASE_URL": db_url}
    env.pop("GOVERNANCE_CHECKPOINT_KEY", None)
    env.pop("GOVERNANCE_CHECKPOINT_PUBLIC_KEY", None)
    if key is not None:
        env["GOVERNANCE_CHECKPOINT_KEY"] = key
    if public is not None:
        env["GOVERNANCE_CHECKPOINT_PUBLIC_KEY"] = public
    return subprocess.run(
        [sys.executable, "-m", "governance", *args],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
    )  # fmt: skip


def verifier(proof: Path, public_key: str, cwd: Path):
    # Isolated mode, run from elsewhere: the workbench's package cannot be imported at all.
    return subprocess.run(
        [sys.executable, "-I", str(VERIFIER), str(proof), "--public-key", public_key],
        capture_output=True, text=True, cwd=cwd, timeout=60,
    )  # fmt: skip


def seed(workbench, count: int) -> None:
    with workbench.unit() as uow:
        for i in range(count):
            details = {"n": i, "note": 'zoë ✓ "quoted" \\ tab\t'}
            uow.record("seed-bot", Event(AuditAction.LOGIN, Resource.USER, i, details))


def forget_marks(db) -> None:
    """The attacker also clears the marks of verified positions (they are not guarded)."""
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_marks"))


@pytest.fixture
def trail(workbench, db_url):
    seed(workbench, 15)
    return db_url


def checkpoint(db_url: str, path: Path, *extra: str, key: str = KEY) -> dict:
    out = cli(db_url, "audit", "checkpoint", "-o", str(path), *extra, key=key)
    assert out.returncode == 0, out.stderr
    return json.loads(path.read_text())


def test_checkpoint_is_signed_written_and_audited(trail, db, tmp_path):
    cp = checkpoint(trail, tmp_path / "cp.json")
    assert cp["size"] == 15 and cp["format"] == "governance-audit-checkpoint/1"
    with db.engine.connect() as conn:
        action, details = conn.execute(
            text("SELECT action, details FROM audit_events ORDER BY id DESC LIMIT 1")
        ).one()
    assert action == "audit.checkpoint_issued"
    recorded = details if isinstance(details, dict) else json.loads(details)
    assert recorded == cp  # the trail records the checkpoint it covers, as the event after it
    ok = cli(trail, "audit", "verify", "--checkpoint", str(tmp_path / "cp.json"))
    assert ok.returncode == 0, ok.stderr
    assert "events 1 to 15 are unchanged" in ok.stdout


def test_truncating_the_newest_ten_events_is_caught_by_the_checkpoint(trail, db, tmp_path):
    checkpoint(trail, tmp_path / "cp.json")  # 15 events; the checkpoint's own event is 16
    tamper.delete_last(db.engine, 11)  # back to 5 events: events 6 to 15 and the record gone

    against = cli(trail, "audit", "verify", "--checkpoint", str(tmp_path / "cp.json"))
    assert against.returncode == 1, against.stdout
    assert "The trail ends at event 5" in against.stderr
    assert "events 6 to 15 were removed" in against.stderr

    # With the marks of earlier verifications, even a plain verify notices ...
    plain = cli(trail, "audit", "verify")
    assert plain.returncode == 1 and "events 6 to 15 were removed" in plain.stderr
    # ... but someone who can delete rows can delete those marks too: only the checkpoint,
    # kept outside the database, still tells.
    forget_marks(db)
    assert cli(trail, "audit", "verify").returncode == 0
    still = cli(trail, "audit", "verify", "--checkpoint", str(tmp_path / "cp.json"))
    assert still.returncode == 1 and "events 6 to 15 were removed" in still.stderr


def test_a_forged_event_with_every_later_hash_recomputed_is_caught(trail, db, tmp_path):
    cp = checkpoint(trail, tmp_path / "cp.json")
    tamper.forge_and_rechain(db.engine, 3, {"n": 2, "note": "nothing happened"})
    forget_marks(db)

    plain = cli(trail, "audit", "verify")
    assert plain.returncode == 0, plain.stderr  # the chain is consistent in itself
    against = cli(trail, "audit", "verify", "--checkpoint", str(tmp_path / "cp.json"))
    assert against.returncode == 1
    assert "Event 15 has hash" in against.stderr
    assert "rewritten and its hashes recomputed" in against.stderr
    head = cli(trail, "audit", "verify", "--expect-head", cp["head_hash"])
    assert head.returncode == 1 and "No event has hash" in head.stderr
    # And no new checkpoint certifies the forgery when the previous one is given.
    refused = cli(trail, "audit", "checkpoint", "--previous", str(tmp_path / "cp.json"))
    assert refused.returncode == 1 and refused.stdout == ""
    assert "No checkpoint signed" in refused.stderr


def test_expect_head_passes_for_an_earlier_head_and_fails_for_another(trail, tmp_path):
    first = cli(trail, "audit", "verify")
    noted = first.stdout.split("Head hash: ")[1].split()[0]
    seed_more = cli(trail, "audit", "checkpoint", "-o", str(tmp_path / "cp.json"))
    assert seed_more.returncode == 0  # one more event: the noted head is no longer the newest
    ok = cli(trail, "audit", "verify", "--expect-head", noted.upper())
    assert ok.returncode == 0 and "Expected head found: event 15." in ok.stdout
    wrong = cli(trail, "audit", "verify", "--expect-head", "ab" * 32)
    assert wrong.returncode == 1 and "No event has hash abababab" in wrong.stderr


def test_a_checkpoint_whose_signature_does_not_hold_fails(trail, tmp_path):
    cp = checkpoint(trail, tmp_path / "cp.json")
    last = cp["signature"][-2:]
    for name, change in {
        "size": {"size": cp["size"] - 10},
        "head": {"head_hash": "0" * 64},
        "signature": {"signature": cp["signature"][:-2] + ("00" if last != "00" else "11")},
    }.items():
        forged = tmp_path / f"forged-{name}.json"
        forged.write_text(json.dumps({**cp, **change}))
        out = cli(trail, "audit", "verify", "--checkpoint", str(forged))
        assert out.returncode == 1, (name, out.stdout)
        assert "its signature does not verify" in out.stderr, name


def test_a_checkpoint_of_another_key_fails(trail, tmp_path):
    checkpoint(trail, tmp_path / "theirs.json", key=OTHER_KEY)
    out = cli(trail, "audit", "verify", "--checkpoint", str(tmp_path / "theirs.json"))
    assert out.returncode == 1
    assert "signed by another key" in out.stderr
    # A host that only verifies pins the public key instead of holding the private one.
    pinned = cli(
        trail, "audit", "verify", "--checkpoint", str(tmp_path / "theirs.json"),
        key=None, public=OTHER_PUBLIC,
    )  # fmt: skip
    assert pinned.returncode == 0, pinned.stderr


def test_inclusion_and_consistency_proofs_check_out_in_the_independent_verifier(
    trail, workbench, db, tmp_path
):
    checkpoint(trail, tmp_path / "old.json")  # events 1-15
    seed(workbench, 7)  # 16 is the checkpoint's event, then 17-23
    new = checkpoint(trail, tmp_path / "new.json", "--previous", str(tmp_path / "old.json"))
    assert new["size"] == 23

    for event in (1, 4, 16, 23):
        proof = tmp_path / f"event-{event}.json"
        made = cli(trail, "audit", "prove", "--checkpoint", str(tmp_path / "new.json"),
                   "--event", str(event), "-o", str(proof))  # fmt: skip
        assert made.returncode == 0, made.stderr
        checked = verifier(proof, PUBLIC, tmp_path)
        assert checked.returncode == 0, checked.stderr
        assert checked.stdout.startswith(f"OK: event {event} ")
    proof = tmp_path / "grew.json"
    made = cli(trail, "audit", "prove", "--checkpoint", str(tmp_path / "new.json"),
               "--since", str(tmp_path / "old.json"), "-o", str(proof))  # fmt: skip
    assert made.returncode == 0, made.stderr
    checked = verifier(proof, PUBLIC, tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "checkpoint of 23 events" in checked.stdout and "of 15 events" in checked.stdout

    # The verifier refuses the same proofs altered, or under another key.
    assert verifier(proof, OTHER_PUBLIC, tmp_path).returncode == 1
    inclusion = json.loads((tmp_path / "event-4.json").read_text())
    inclusion["event"]["payload"] = inclusion["event"]["payload"].replace('"n":3', '"n":30')
    (tmp_path / "edited.json").write_text(json.dumps(inclusion))
    edited = verifier(tmp_path / "edited.json", PUBLIC, tmp_path)
    assert edited.returncode == 1 and "does not hash to its hash" in edited.stderr
    consistency = json.loads(proof.read_text())
    consistency["path"][0] = "00" * 32
    (tmp_path / "bent.json").write_text(json.dumps(consistency))
    bent = verifier(tmp_path / "bent.json", PUBLIC, tmp_path)
    assert bent.returncode == 1 and "does not extend" in bent.stderr

    # Once history is rewritten, the workbench builds no proof against the old anchor.
    tamper.forge_and_rechain(db.engine, 2, {"n": 99})
    refused = cli(trail, "audit", "prove", "--checkpoint", str(tmp_path / "new.json"),
                  "--event", "4")  # fmt: skip
    assert refused.returncode == 1 and "no longer matches" in refused.stderr


def test_the_verifier_imports_nothing_of_the_workbench():
    tree = ast.parse(VERIFIER.read_text())
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not {name for name in imported if name.split(".")[0] in {"governance", "tests"}}


@pytest.mark.parametrize(
    ("args", "key", "message"),
    [
        (("audit", "checkpoint"), None, "No checkpoint key: set GOVERNANCE_CHECKPOINT_KEY"),
        (("audit", "checkpoint"), "not-hex", "must be 64 hexadecimal digits"),
        (("audit", "verify", "--checkpoint", "missing.json"), KEY, "does not exist"),
        (("audit", "verify", "--checkpoint", "{dir}"), KEY, "is a directory"),
        (("audit", "verify", "--checkpoint", "{notjson}"), KEY, "is not JSON"),
        (("audit", "verify", "--checkpoint", "{partial}"), KEY, "lacks head_hash"),
        (("audit", "verify", "--checkpoint", "{cp}"), None, "No key to check checkpoints"),
        (("audit", "verify", "--expect-head", "12ab"), KEY, "must be a chain hash"),
        (("audit", "prove", "--checkpoint", "{cp}", "--event", "99"), KEY, "not covered"),
        (("audit", "prove", "--checkpoint", "{cp}", "--event", "0"), KEY, "not covered"),
        (("audit", "checkpoint", "-o", "{dir}/no/such/folder.json"), KEY, "is no folder"),
    ],
)
def test_bad_input_exits_2_with_the_reason(trail, tmp_path, args, key, message):
    (tmp_path / "notjson").write_text("{nope")
    (tmp_path / "partial").write_text(
        json.dumps({"format": "governance-audit-checkpoint/1", "size": 3})
    )
    cp_path = tmp_path / "cp.json"
    if any("{cp}" in a for a in args):
        checkpoint(trail, cp_path)
    names = {"dir": str(tmp_path), "notjson": str(tmp_path / "notjson"),
             "partial": str(tmp_path / "partial"), "cp": str(cp_path)}  # fmt: skip
    out = cli(trail, *(a.format(**names) for a in args), key=key)
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert message in out.stderr
    assert "Traceback" not in out.stderr


def test_keygen_prints_a_usable_pair_without_a_database(tmp_path):
    out = cli(f"sqlite:///{tmp_path / 'never.db'}", "audit", "keygen", key=None)
    assert out.returncode == 0
    lines = dict(line.split("=", 1) for line in out.stdout.splitlines())
    assert set(lines) == {"GOVERNANCE_CHECKPOINT_KEY", "GOVERNANCE_CHECKPOINT_PUBLIC_KEY"}
    public = cli(str(tmp_path), "audit", "public-key", key=lines["GOVERNANCE_CHECKPOINT_KEY"])
    assert public.stdout.strip() == lines["GOVERNANCE_CHECKPOINT_PUBLIC_KEY"]
    assert not (tmp_path / "never.db").exists()
