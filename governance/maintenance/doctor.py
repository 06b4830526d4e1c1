"""``python -m governance doctor``: crash debris and damaged evidence, found; debris removed.

What it looks for, in the artifact store and the records:

- **temporaries** — files under ``.incoming/`` (and, from versions before it existed, ``*.tmp``
  files beside stored files): what a process killed mid-write leaves;
- **orphans** — stored files that no record references: a process killed after its file
  landed and before its records committed leaves one;
- **missing or damaged evidence** — a record whose stored file is gone, or whose SHA-256 is
  no longer the one recorded when it was saved;
- **strangers** — files in the store that the store never writes;
- a broken **audit chain**.

``--fix`` removes temporaries and orphans, each audited (``maintenance.file_removed``, one
event per file, with its path, size and SHA-256). Everything else is reported only: records
are evidence, and deleting one to make the store tidy would destroy what an auditor needs to
see. A temporary or orphan younger than the grace period is left alone (see ``DEFAULT_GRACE``).
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum
from pathlib import Path

from governance.actor import Actor
from governance.artifacts import INCOMING, TEMPORARY_SUFFIX, ArtifactStore, sha256_file
from governance.audit.events import AuditAction, Event, Resource
from governance.audit.service import verify_chain
from governance.auth.roles import Action
from governance.errors import ValidationError
from governance.kernel import UnitOfWork, authorize
from governance.maintenance.references import ArtifactReference, artifact_references

# Why an age and not "is a process still writing it": the store may be shared by app replicas
# on other machines, where a process id means nothing and open files cannot be seen (NFS).
# A temporary being written changes all the time (DuckDB appends row group after row group),
# and a landed file waits only for its unit of work to commit (milliseconds), so a file left
# untouched for an hour belongs to no running process. Reusing a stored file touches it.
DEFAULT_GRACE = timedelta(minutes=60)


class Kind(StrEnum):
    TEMPORARY = "temporary"
    ORPHAN = "orphan"
    MISSING = "missing"
    DAMAGED = "damaged"
    STRANGER = "stranger"
    CHAIN = "chain"
    RECENT = "recent"  # a temporary or orphan younger than the grace period: left alone
    UNCHECKED = "unchecked"  # saved before stored files' hashes were recorded


_PROBLEMS = frozenset({Kind.TEMPORARY, Kind.ORPHAN, Kind.MISSING, Kind.DAMAGED, Kind.STRANGER,
                       Kind.CHAIN})  # fmt: skip
_REMOVABLE = frozenset({Kind.TEMPORARY, Kind.ORPHAN})


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the doctor saw: a file (``subject`` relative to the store) or a record."""

    kind: Kind
    subject: str
    detail: str
    size: int | None = None

    @property
    def problem(self) -> bool:
        return self.kind in _PROBLEMS

    @property
    def removable(self) -> bool:
        return self.kind in _REMOVABLE

    def line(self) -> str:
        status = "problem" if self.problem else "note"
        size = "" if self.size is None else f" ({_size(self.size)})"
        return f"{status:8} {self.kind.value:10} {self.subject}{size}: {self.detail}"


@dataclass(frozen=True, slots=True)
class Removal:
    subject: str
    kind: Kind
    size: int
    sha256: str
    event_id: int


@dataclass(frozen=True, slots=True)
class DoctorReport:
    store: str
    grace: timedelta
    stored_files: int
    records: int
    chain: str
    findings: tuple[Finding, ...]
    removed: tuple[Removal, ...] = ()

    @property
    def problems(self) -> list[Finding]:
        """Problems that remain (what ``--fix`` removed is no longer one)."""
        gone = {r.subject for r in self.removed}
        return [f for f in self.findings if f.problem and f.subject not in gone]

    def lines(self) -> list[str]:
        out = [
            f"Artifact store {self.store}: {self.stored_files} stored files, "
            f"{self.records} records referencing files.",
            *(f.line() for f in self.findings),
            self.chain,
            *(
                f"removed  {r.kind.value:10} {r.subject} ({_size(r.size)}, SHA-256 "
                f"{r.sha256[:16]}…): audit event {r.event_id}"
                for r in self.removed
            ),
        ]
        left = self.problems
        removable = sum(f.removable for f in left)
        if not left:
            out.append("No problems.")
        else:
            hint = f", {removable} removable with --fix" if removable else ""
            out.append(f"{len(left)} problem{'s' if len(left) != 1 else ''}{hint}.")
        return out


def examine(uow: UnitOfWork, *, actor: Actor, grace: timedelta = DEFAULT_GRACE) -> DoctorReport:
    """What is wrong with the artifact store and the evidence it holds (administrators)."""
    authorize(uow, actor, Action.MAINTENANCE, Resource.ARTIFACT_STORE)
    return _examine(uow, _checked(grace))


def repair(uow: UnitOfWork, *, actor: Actor, grace: timedelta = DEFAULT_GRACE) -> DoctorReport:
    """Remove temporaries and orphans older than ``grace``, one audit event each.

    Files are first moved aside (into ``.incoming/removing-…``, put back if the unit rolls
    back) and deleted once the events have committed, so an audited removal and a gone file
    go together. A process killed in between leaves them under ``.incoming/``, where the next
    run finds and removes them as temporaries.
    """
    authorize(uow, actor, Action.MAINTENANCE, Resource.ARTIFACT_STORE)
    grace = _checked(grace)
    report = _examine(uow, grace)
    store = uow.artifacts
    trash = store.incoming / f"removing-{secrets.token_hex(6)}"
    # Read again just before removing: a save may have committed since the examination.
    referenced = {r.sha256 for r in artifact_references(uow.session)}
    removed: list[Removal] = []
    for finding in report.findings:
        path = store.root / finding.subject
        if finding.removable and _still_removable(store, path, referenced, uow, grace):
            removed.append(_remove(uow, actor, finding, path, trash / finding.subject))
    if removed:
        uow.after_commit(lambda: shutil.rmtree(trash, ignore_errors=True))
    return replace(report, removed=tuple(removed))


def _checked(grace: timedelta) -> timedelta:
    if grace < timedelta(0):
        raise ValidationError("The grace period cannot be negative.")
    return grace


def _examine(uow: UnitOfWork, grace: timedelta) -> DoctorReport:
    store = uow.artifacts
    now = uow.now().timestamp()
    references = artifact_references(uow.session)
    referenced = {r.sha256 for r in references}
    stored = list(store.stored_files())
    findings = [
        *_temporaries(store, now, grace),
        *_orphans(store, stored, referenced, now, grace),
        *_strangers(store, now, grace),
        *_evidence(store, references),
    ]
    chain = verify_chain(uow)
    if not chain.intact:
        findings.append(Finding(Kind.CHAIN, "audit trail", chain.summary()))
    return DoctorReport(
        store=str(store.root),
        grace=grace,
        stored_files=len(stored),
        records=len(references),
        chain=chain.summary(),
        findings=tuple(findings),
    )


def _aged(kind: Kind, path: Path, root: Path, now: float, grace: timedelta, why: str) -> Finding:
    """``kind`` when untouched for longer than ``grace``, else a note that it is left alone."""
    st = path.stat()
    age = max(0.0, now - st.st_mtime)
    subject = path.relative_to(root).as_posix()
    if age < grace.total_seconds():
        return Finding(
            Kind.RECENT,
            subject,
            f"{why}, but untouched for only {_age(age)} (younger than {_age(grace.total_seconds())}"
            "): perhaps a running process is still writing or saving it; left alone",
            st.st_size,
        )
    return Finding(kind, subject, f"{why}, untouched for {_age(age)}; --fix removes it", st.st_size)


def _temporaries(store: ArtifactStore, now: float, grace: timedelta) -> Iterator[Finding]:
    for path in store.temporaries():
        yield _aged(Kind.TEMPORARY, path, store.root, now, grace, "left by an interrupted write")


def _orphans(
    store: ArtifactStore,
    stored: list[tuple[str, Path]],
    referenced: set[str],
    now: float,
    grace: timedelta,
) -> Iterator[Finding]:
    for sha, path in stored:
        if sha not in referenced:
            yield _aged(Kind.ORPHAN, path, store.root, now, grace, "no record references it")


def _strangers(store: ArtifactStore, now: float, grace: timedelta) -> Iterator[Finding]:
    for path in store.stray_files():
        subject = path.relative_to(store.root).as_posix()
        legacy = path.name.startswith("tmp") and path.name.endswith(TEMPORARY_SUFFIX)
        if legacy and path.parent.parent == store.root:
            why = f"left by an interrupted write (before temporaries went to {INCOMING}/)"
            yield _aged(Kind.TEMPORARY, path, store.root, now, grace, why)
        else:
            detail = "the store never writes such a file; report only (look before deleting it)"
            yield Finding(Kind.STRANGER, subject, detail, path.stat().st_size)


def _evidence(store: ArtifactStore, references: list[ArtifactReference]) -> Iterator[Finding]:
    """Records whose file is missing or damaged: reported, never "fixed" (they are evidence)."""
    by_file: dict[str, list[ArtifactReference]] = defaultdict(list)
    for ref in references:
        by_file[ref.sha256].append(ref)
    for sha, refs in by_file.items():
        path = store.path_for(sha)
        relative = path.relative_to(store.root).as_posix()
        if not path.is_file():
            for ref in refs:
                detail = (
                    f"its stored file {relative} is missing (report only: records are evidence)"
                )
                yield Finding(Kind.MISSING, ref.label, detail)
            continue
        actual = sha256_file(path) if any(r.stored_sha256 for r in refs) else None
        for ref in refs:
            if ref.stored_sha256 is None:
                detail = f"saved before stored files' hashes were recorded: {relative} unchecked"
                yield Finding(Kind.UNCHECKED, ref.label, detail)
            elif ref.stored_sha256 != actual:
                yield Finding(
                    Kind.DAMAGED,
                    ref.label,
                    f"its stored file {relative} has SHA-256 {str(actual)[:16]}…, not the "
                    f"{ref.stored_sha256[:16]}… recorded when it was saved (report only: restore "
                    "the file from a backup)",
                )


def _still_removable(
    store: ArtifactStore, path: Path, referenced: set[str], uow: UnitOfWork, grace: timedelta
) -> bool:
    if not path.is_file():
        return False  # gone meanwhile (another doctor, a cleanup)
    if path.name.removesuffix(".parquet") in referenced:
        return False  # a save referenced it meanwhile
    return uow.now().timestamp() - path.stat().st_mtime >= grace.total_seconds()


def _remove(uow: UnitOfWork, actor: Actor, finding: Finding, path: Path, aside: Path) -> Removal:
    size, digest = path.stat().st_size, sha256_file(path)
    aside.parent.mkdir(parents=True, exist_ok=True)
    os.replace(path, aside)
    uow.on_rollback(lambda: _put_back(aside, path))
    details = {"path": finding.subject, "kind": finding.kind.value, "size": size, "sha256": digest}
    event = Event(AuditAction.MAINTENANCE_FILE_REMOVED, Resource.ARTIFACT_STORE, path.name[:100],
                  details)  # fmt: skip
    return Removal(finding.subject, finding.kind, size, digest, uow.record(actor, event))


def _put_back(aside: Path, path: Path) -> None:
    if aside.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(aside, path)


def _size(size: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return f"{size} bytes"


def _age(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 1:
        return "less than a minute"
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"
