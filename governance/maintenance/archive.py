"""The backup file: a tar of the database, artifact files and the manifest, checked by hash.

Written through a hashing writer (so the backup's own SHA-256 is known for the audit event
without reading it again) and read member by member, streaming: a backup of many gigabytes
never sits in memory.
"""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, BinaryIO

from governance.errors import IntegrityFailure
from governance.maintenance.manifest import MANIFEST_NAME, BadBackup, FileEntry, Manifest

_CHUNK = 1024 * 1024
_MAX_MANIFEST = 64 * 1024 * 1024


class _HashingWriter(io.RawIOBase):
    """A write-only file that hashes and counts what passes through to ``target``."""

    def __init__(self, target: BinaryIO) -> None:
        self._target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.size

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._target.write(data)
        self.digest.update(data)
        self.size += len(data)
        return len(data)


class _HashingReader(io.RawIOBase):
    def __init__(self, source: IO[bytes]) -> None:
        self._source = source
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:  # type: ignore[override]
        data = self._source.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


class ArchiveWriter:
    """Adds files to a new backup at ``path``; :meth:`finish` appends the manifest."""

    def __init__(self, path: Path) -> None:
        self._raw = path.open("xb")
        self._hashing = _HashingWriter(self._raw)
        self._tar = tarfile.open(fileobj=self._hashing, mode="w", format=tarfile.PAX_FORMAT)  # noqa: SIM115
        self.files: dict[str, FileEntry] = {}

    def add_file(self, name: str, source: Path) -> FileEntry:
        size = source.stat().st_size
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = size, 0o644, int(source.stat().st_mtime)
        with source.open("rb") as fh:
            reader = _HashingReader(fh)
            self._tar.addfile(info, reader)  # type: ignore[arg-type]
        entry = FileEntry(reader.digest.hexdigest(), reader.size)
        self.files[name] = entry
        return entry

    def finish(self, manifest: Manifest) -> tuple[str, int]:
        """Append the manifest, flush to disk; the backup's SHA-256 and size are returned."""
        data = manifest.to_json()
        info = tarfile.TarInfo(MANIFEST_NAME)
        info.size, info.mode, info.mtime = len(data), 0o644, int(time.time())
        self._tar.addfile(info, io.BytesIO(data))
        self._tar.close()
        self._raw.flush()
        os.fsync(self._raw.fileno())  # durable before it is renamed into place
        self._raw.close()
        return self._hashing.digest.hexdigest(), self._hashing.size

    def abort(self) -> None:
        self._tar.close()
        self._raw.close()


class BackupReader:
    """An opened backup: its manifest, checks of every member, and extraction by name."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise BadBackup(f"There is no backup file at {str(self.path)!r}.")
        try:
            self._tar = tarfile.open(self.path, mode="r:*")  # noqa: SIM115
            self._members = self._tar.getmembers()
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise BadBackup(
                f"{self._name} is not a backup made by this workbench ({exc})."
            ) from None
        self.manifest = Manifest.from_json(self._manifest_bytes())

    @property
    def _name(self) -> str:
        return repr(str(self.path))

    def _manifest_bytes(self) -> bytes:
        found = [m for m in self._members if m.name == MANIFEST_NAME]
        if len(found) != 1 or not found[0].isreg() or found[0].size > _MAX_MANIFEST:
            raise BadBackup(f"{self._name} holds no manifest.json: it is not a workbench backup.")
        handle = self._tar.extractfile(found[0])
        assert handle is not None
        return handle.read()

    def verify(self, progress: Callable[[str], None] | None = None) -> None:
        """Check that the members are exactly the manifest's files, each with its hash.

        Raises :class:`IntegrityFailure` naming the first file that differs; reads only.
        """
        expected = dict(self.manifest.files)
        seen: set[str] = set()
        for member in self._members:
            if member.name == MANIFEST_NAME:
                continue
            if member.name in seen or member.name not in expected or not member.isreg():
                raise IntegrityFailure(
                    f"{self._name} holds {member.name!r}, which its manifest does not list "
                    "(or lists once): the backup was altered. Nothing was restored."
                )
            seen.add(member.name)
            self._check(member, expected[member.name])
            if progress:
                progress(member.name)
        missing = sorted(set(expected) - seen)
        if missing:
            raise IntegrityFailure(
                f"{self._name} lacks {missing[0]!r}, which its manifest lists "
                f"({len(missing)} missing): the backup is incomplete. Nothing was restored."
            )

    def _check(self, member: tarfile.TarInfo, entry: FileEntry) -> None:
        handle = self._tar.extractfile(member)
        assert handle is not None
        digest, size = _digest(handle)
        if (digest, size) != (entry.sha256, entry.size):
            raise IntegrityFailure(
                f"{member.name} in {self._name} does not match its manifest (SHA-256 "
                f"{digest[:12]}…, {size} bytes; the manifest says {entry.sha256[:12]}…, "
                f"{entry.size} bytes): the backup is damaged or was altered. Nothing was "
                "restored."
            )

    def extract(self, name: str, target: Path) -> None:
        """Write member ``name`` to the new file ``target``, checking its hash once more (the
        backup file could have changed since :meth:`verify`)."""
        entry = self.manifest.files[name]
        handle = self._tar.extractfile(name)
        assert handle is not None
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("xb") as out:
            reader = _HashingReader(handle)
            while chunk := reader.read(_CHUNK):
                out.write(chunk)
        if (reader.digest.hexdigest(), reader.size) != (entry.sha256, entry.size):
            raise IntegrityFailure(
                f"{name} in {self._name} changed while it was restored: nothing was restored."
            )

    def close(self) -> None:
        self._tar.close()

    def __enter__(self) -> BackupReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _digest(handle: IO[bytes]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while chunk := handle.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size
