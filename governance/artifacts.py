"""The artifact store: bulk files kept as Parquet, addressed by the SHA-256 of what was given.

Records reference artifacts by hash; the store is a plain directory (shareable between app
replicas), written atomically so that a reader never sees half a file.

Layout::

    <root>/ab/ab12…ef.parquet                   a stored file, named by its source's SHA-256
    <root>/.incoming/<label>.<pid>.<rand>.tmp   a file being written; renamed into place when whole

Every temporary is written under ``.incoming/`` (the same file system as the store, so the
final rename is atomic) and nowhere else, so that a process killed mid-write leaves its debris
where ``python -m governance doctor`` looks for it.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from governance.analytics.duck import sandboxed
from governance.errors import ValidationError

_CHUNK = 1024 * 1024
INCOMING = ".incoming"
TEMPORARY_SUFFIX = ".tmp"
# A stored file's path relative to the root: two hex digits, then the full hash.
STORED_NAME = re.compile(r"([0-9a-f]{2})/(\1[0-9a-f]{62})\.parquet")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class StoredArtifact:
    sha256: str
    relative_path: str
    created: bool  # False when an identical file was already stored
    stored_sha256: str  # the SHA-256 of the stored file itself (its name is the source's)


class ArtifactStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def incoming(self) -> Path:
        """Where every temporary of the store is written (see the module's docstring)."""
        return self.root / INCOMING

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValidationError(f"{sha256!r} is not a SHA-256 hash.")
        return self.root / sha256[:2] / f"{sha256}.parquet"

    def temporary_path(self, label: str) -> Path:
        """A fresh name under ``.incoming/`` for a file about to be written.

        The process id is in the name for whoever inspects debris; the random part keeps two
        writers (threads, replicas) apart.
        """
        self.incoming.mkdir(parents=True, exist_ok=True)
        name = f"{label}.{os.getpid()}.{secrets.token_hex(6)}{TEMPORARY_SUFFIX}"
        return self.incoming / name

    def put_table(
        self, relation_sql: str, params: dict[str, object], source_file: Path, sha256: str
    ) -> StoredArtifact:
        """Store the rows of ``relation_sql`` (read from ``source_file``) as Parquet."""
        target = self.path_for(sha256)
        relative = str(target.relative_to(self.root))
        if target.exists():
            # Touched so that the doctor's grace period counts from this reuse: an old orphan
            # about to be referenced again must not be swept before this unit commits.
            os.utime(target)
            return StoredArtifact(sha256, relative, False, sha256_file(target))
        tmp = self.temporary_path(sha256[:16])
        try:
            con = sandboxed([source_file, tmp])
            try:
                con.execute(
                    f"COPY (SELECT * FROM {relation_sql}) TO $out "  # noqa: S608 (ours)
                    "(FORMAT parquet, COMPRESSION zstd)",
                    {**params, "out": str(tmp.resolve())},
                )
            finally:
                con.close()
            stored = sha256_file(tmp)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return StoredArtifact(sha256, relative, True, stored)

    def remove(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)

    def stored_files(self) -> Iterator[tuple[str, Path]]:
        """Every stored file as (its name's hash, path), outside ``.incoming/``."""
        for path in self._files_outside_incoming():
            match = STORED_NAME.fullmatch(path.relative_to(self.root).as_posix())
            if match:
                yield match.group(2), path

    def stray_files(self) -> Iterator[Path]:
        """Files outside ``.incoming/`` that are not stored files (old temporaries, strangers)."""
        for path in self._files_outside_incoming():
            if not STORED_NAME.fullmatch(path.relative_to(self.root).as_posix()):
                yield path

    def temporaries(self) -> Iterator[Path]:
        """Every file under ``.incoming/``, however deep."""
        if self.incoming.is_dir():
            yield from sorted(p for p in self.incoming.rglob("*") if p.is_file())

    def _files_outside_incoming(self) -> Iterator[Path]:
        if not self.root.is_dir():
            return
        for top in sorted(self.root.iterdir()):
            if top.name == INCOMING:
                continue
            if top.is_file():
                yield top
            elif top.is_dir():
                yield from sorted(p for p in top.rglob("*") if p.is_file())
