"""The artifact store: bulk files kept as Parquet, addressed by the SHA-256 of what was given.

Records reference artifacts by hash; the store is a plain directory (shareable between app
replicas), written atomically so that a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from governance.analytics.duck import sandboxed
from governance.errors import ValidationError

_CHUNK = 1024 * 1024


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


class ArtifactStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValidationError(f"{sha256!r} is not a SHA-256 hash.")
        return self.root / sha256[:2] / f"{sha256}.parquet"

    def put_table(
        self, relation_sql: str, params: dict[str, object], source_file: Path, sha256: str
    ) -> StoredArtifact:
        """Store the rows of ``relation_sql`` (read from ``source_file``) as Parquet."""
        target = self.path_for(sha256)
        relative = str(target.relative_to(self.root))
        if target.exists():
            return StoredArtifact(sha256, relative, created=False)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            tmp.unlink()  # DuckDB creates the file itself
            con = sandboxed([source_file, tmp])
            try:
                con.execute(
                    f"COPY (SELECT * FROM {relation_sql}) TO $out "  # noqa: S608 (ours)
                    "(FORMAT parquet, COMPRESSION zstd)",
                    {**params, "out": str(tmp.resolve())},
                )
            finally:
                con.close()
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return StoredArtifact(sha256, relative, created=True)

    def remove(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)
