"""Helpers for backup tests: rewriting a backup as someone who alters it would."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"


def members(backup: Path) -> dict[str, bytes]:
    """Every member of ``backup`` by name, in order (test backups are small)."""
    with tarfile.open(backup) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]


def write(backup: Path, content: dict[str, bytes]) -> None:
    with tarfile.open(backup, "w") as tar:
        for name, data in content.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def repack(
    backup: Path,
    target: Path,
    *,
    replace: dict[str, bytes] | None = None,
    edit_manifest: Callable[[dict[str, Any]], None] | None = None,
    rehash: bool = False,
) -> Path:
    """A copy of ``backup`` at ``target`` with members replaced and the manifest edited.

    ``rehash`` writes the replaced members' true SHA-256 and size into the manifest, as an
    attacker who knows the format would: only the deeper checks can then notice.
    """
    content = members(backup)
    manifest = json.loads(content[MANIFEST])
    for name, data in (replace or {}).items():
        content[name] = data
        if rehash:
            manifest["files"][name] = {
                "sha256": hashlib.sha256(data).hexdigest(),
                "size": len(data),
            }
    if edit_manifest:
        edit_manifest(manifest)
    content[MANIFEST] = json.dumps(manifest).encode()
    write(target, content)
    return target


def flip_byte(data: bytes, at: int | None = None) -> bytes:
    changed = bytearray(data)
    changed[len(data) // 2 if at is None else at] ^= 0x01
    return bytes(changed)
