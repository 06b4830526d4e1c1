"""``python -m governance audit …``: verify, export, checkpoint, prove, keygen.

Exit 0 success; 1 a check failed (a broken chain, a trail that contradicts a checkpoint, a
checkpoint whose signature does not hold); 2 bad input (an unreadable or malformed file, a
missing key), the reason on stderr. 3, an internal error, is mapped by
:func:`governance.cli.main`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from governance.errors import IntegrityFailure, ValidationError

if TYPE_CHECKING:
    from governance.audit.checkpoint import Checkpoint
    from governance.kernel import Workbench

EXIT_OK, EXIT_CHECK_FAILED = 0, 1
_HASH = re.compile(r"[0-9a-f]{64}")


def add_audit_commands(groups: Any) -> None:
    audit = groups.add_parser("audit", help="audit trail").add_subparsers(dest="cmd", required=True)
    verify = audit.add_parser(
        "verify",
        help="recompute the hash chain; exit 1 if it is broken or contradicts an anchor",
    )
    verify.add_argument(
        "--checkpoint", type=Path, metavar="FILE", help="a signed checkpoint the trail must extend"
    )
    verify.add_argument(
        "--expect-head", metavar="HASH", help="a head hash noted earlier: the trail must pass it"
    )
    export = audit.add_parser("export", help="write the audit trail as CSV")
    export.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
    checkpoint = audit.add_parser(
        "checkpoint",
        help="verify the trail and sign a checkpoint of its head (key: GOVERNANCE_CHECKPOINT_KEY)",
    )
    checkpoint.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
    checkpoint.add_argument(
        "--previous", type=Path, metavar="FILE", help="the last checkpoint: sign only if extended"
    )
    prove = audit.add_parser("prove", help="print a Merkle proof against a checkpoint")
    prove.add_argument("--checkpoint", type=Path, required=True, metavar="FILE")
    which = prove.add_mutually_exclusive_group(required=True)
    which.add_argument("--event", type=int, metavar="N", help="prove event N is in the checkpoint")
    which.add_argument(
        "--since", type=Path, metavar="OLD", help="prove the checkpoint extends an older one"
    )
    prove.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
    audit.add_parser("keygen", help="print a new checkpoint key pair (as environment lines)")
    audit.add_parser("public-key", help="print the public key of the configured checkpoint key")


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationError(f"{what} {str(path)!r} does not exist.") from None
    except IsADirectoryError:
        raise ValidationError(f"{what} {str(path)!r} is a directory.") from None
    except UnicodeDecodeError:
        raise ValidationError(f"{what} {str(path)!r} is not UTF-8 text.") from None
    except OSError as exc:
        raise ValidationError(f"Cannot read {str(path)!r}: {exc.strerror or exc}.") from None


def _checkpoint(path: Path) -> Checkpoint:
    from governance.audit.checkpoint import parse_checkpoint

    return parse_checkpoint(_read(path, "Checkpoint"), source=f"Checkpoint {str(path)!r}")


def _writable(path: Path | None) -> None:
    if path is not None and not path.parent.is_dir():
        raise ValidationError(f"Cannot write {str(path)!r}: {str(path.parent)!r} is no folder.")
    if path is not None and path.is_dir():
        raise ValidationError(f"Cannot write {str(path)!r}: it is a directory.")


def _emit(text: str, path: Path | None) -> None:
    if path is None:
        sys.stdout.write(text)
        return
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ValidationError(f"Cannot write {str(path)!r}: {exc.strerror or exc}.") from None
    print(f"Wrote {path}.", file=sys.stderr)


def _head_hash(value: str | None) -> str | None:
    if value is None:
        return None
    digest = value.strip().lower()
    if not _HASH.fullmatch(digest):
        raise ValidationError(f"--expect-head must be a chain hash (64 hex digits), got {value!r}.")
    return digest


def run_audit(args: argparse.Namespace, open_workbench: Callable[[], Workbench]) -> int:
    from governance.audit import keys

    if args.cmd == "keygen":
        private, public = keys.new_key()
        print(f"{keys.KEY_ENV}={private}")
        print(f"{keys.PUBLIC_KEY_ENV}={public}")
        print("Keep the first line secret, outside the database; give the second to auditors.",
              file=sys.stderr)  # fmt: skip
        return EXIT_OK
    if args.cmd == "public-key":
        key = keys.verify_key()
        print(key.hex)
        print(f"key id {key.key_id}", file=sys.stderr)
        return EXIT_OK
    commands = {"verify": _verify, "export": _export, "checkpoint": _sign, "prove": _prove}
    command = commands[args.cmd]
    workbench = open_workbench()
    try:
        return command(args, workbench)
    finally:
        workbench.close()


def _verify(args: argparse.Namespace, workbench: Workbench) -> int:
    from governance.audit import keys
    from governance.audit.anchor import check_trail

    expect = _head_hash(args.expect_head)
    checkpoint = _checkpoint(args.checkpoint) if args.checkpoint else None
    key = keys.verify_key() if checkpoint is not None else None
    check = workbench.run(check_trail, checkpoint=checkpoint, key=key, expect_head=expect)
    verification = check.verification
    if not check.ok:
        if not verification.intact:
            print(verification.summary(), file=sys.stderr)
        for problem in check.problems:
            print(f"Audit trail contradicts its anchor: {problem}", file=sys.stderr)
        return EXIT_CHECK_FAILED
    print(verification.summary())
    print(f"Head hash: {verification.head_hash} (event {verification.head_id})")
    if checkpoint is not None:
        print(
            f"Checkpoint of {checkpoint.issued_at} holds: events 1 to {checkpoint.size} are "
            f"unchanged (signed by key id {checkpoint.key_id})."
        )
    if expect is not None:
        print(f"Expected head found: event {check.expected_at}.")
    return EXIT_OK


def _export(args: argparse.Namespace, workbench: Workbench) -> int:
    from governance.actor import Actor
    from governance.reports.audit_export import export_events_csv

    data = workbench.run(export_events_csv, actor=Actor.command_line())
    if args.output:
        args.output.write_bytes(data)
        print(f"Wrote {args.output}.", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
    return EXIT_OK


def _sign(args: argparse.Namespace, workbench: Workbench) -> int:
    from governance.actor import Actor
    from governance.audit import keys
    from governance.audit.anchor import issue_checkpoint

    key = keys.signing_key()
    previous = _checkpoint(args.previous) if args.previous else None
    _writable(args.output)
    try:
        checkpoint = workbench.run(
            issue_checkpoint, actor=Actor.command_line(), key=key, previous=previous
        )
    except IntegrityFailure as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_CHECK_FAILED
    _emit(checkpoint.to_json(), args.output)
    print(
        f"Checkpoint of {checkpoint.size} events signed (key id {checkpoint.key_id}); "
        "keep it outside the database.",
        file=sys.stderr,
    )
    return EXIT_OK


def _prove(args: argparse.Namespace, workbench: Workbench) -> int:
    from governance.actor import Actor
    from governance.audit import keys
    from governance.audit.anchor import prove_consistency, prove_inclusion

    checkpoint = _checkpoint(args.checkpoint)
    old = _checkpoint(args.since) if args.since else None
    key = keys.verify_key()
    _writable(args.output)
    actor = Actor.command_line()
    try:
        if old is not None:
            proof = workbench.run(prove_consistency, actor=actor, old=old, new=checkpoint, key=key)
        else:
            proof = workbench.run(
                prove_inclusion, actor=actor, position=args.event, checkpoint=checkpoint, key=key
            )
    except IntegrityFailure as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_CHECK_FAILED
    _emit(json.dumps(proof, indent=2) + "\n", args.output)
    return EXIT_OK
