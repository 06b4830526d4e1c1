"""The RFC 6962 tree: roots against the RFC's recursive definition, and every proof the
workbench builds checked by the independent verifier script (which shares no code with it)."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.audit import merkle
from governance.audit.merkle import Frontier, leaf_hash, root_of

ROOT = Path(__file__).resolve().parents[2]


def load_verifier():
    """scripts/verify_audit_proof.py as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location(
        "verify_audit_proof", ROOT / "scripts" / "verify_audit_proof.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


verifier = load_verifier()


def leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(hashlib.sha256(str(i).encode()).digest()) for i in range(n)]


def mth(items: list[bytes]) -> bytes:
    """RFC 6962 §2.1, word for word (recursive, over leaf hashes)."""
    if not items:
        return hashlib.sha256(b"").digest()
    if len(items) == 1:
        return items[0]
    k = 1
    while k * 2 < len(items):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(items[:k]) + mth(items[k:])).digest()


def subtree_of(items: list[bytes]):
    return lambda lo, hi: merkle.root_of(items[lo:hi])


def test_leaf_and_node_hashes_are_domain_separated():
    data = bytes(32)
    assert merkle.leaf_hash(data) == hashlib.sha256(b"\x00" + data).digest()
    assert merkle.node_hash(data, data) == hashlib.sha256(b"\x01" + data + data).digest()
    assert merkle.root_of([]) == hashlib.sha256(b"").digest()


@pytest.mark.parametrize("n", [*range(0, 34), 63, 64, 65, 100, 127, 128, 129])
def test_frontier_root_is_the_rfc_root(n):
    items = leaves(n)
    assert merkle.root_of(items) == mth(items)


def test_every_inclusion_proof_up_to_33_leaves_verifies_and_only_for_its_leaf():
    for size in range(1, 34):
        items = leaves(size)
        root = mth(items)
        for index in range(size):
            path = merkle.inclusion_proof(index, size, subtree_of(items))
            assert verifier.verify_inclusion(items[index], index, size, path, root)
            other = (index + 1) % size
            if other != index:
                assert not verifier.verify_inclusion(items[other], index, size, path, root)
            assert not verifier.verify_inclusion(items[index], index, size, path, mth(items[1:]))


def test_every_consistency_proof_up_to_33_leaves_verifies_and_rejects_a_rewrite():
    for new in range(1, 34):
        items = leaves(new)
        new_root = mth(items)
        for old in range(0, new + 1):
            old_root = mth(items[:old])
            proof = merkle.consistency_proof(old, new, subtree_of(items))
            assert verifier.verify_consistency(old, new, old_root, new_root, proof), (old, new)
            if old > 0:
                # The same old size over a rewritten history is not a prefix.
                forged = [merkle.leaf_hash(b"forged"), *items[1:old]]
                assert not verifier.verify_consistency(old, new, mth(forged), new_root, proof)


@given(
    size=st.integers(2, 300),
    data=st.data(),
)
def test_a_tampered_proof_never_verifies(size, data):
    items = leaves(size)
    root = mth(items)
    index = data.draw(st.integers(0, size - 1))
    path = merkle.inclusion_proof(index, size, subtree_of(items))
    assert verifier.verify_inclusion(items[index], index, size, path, root)
    which = data.draw(st.integers(0, len(path) - 1))
    bad = [*path]
    bad[which] = hashlib.sha256(bad[which]).digest()
    assert not verifier.verify_inclusion(items[index], index, size, bad, root)
    assert not verifier.verify_inclusion(items[index], index, size, path[:-1], root)

    old = data.draw(st.integers(1, size - 1))
    proof = merkle.consistency_proof(old, size, subtree_of(items))
    assert verifier.verify_consistency(old, size, mth(items[:old]), root, proof)
    bad = [*proof]
    which = data.draw(st.integers(0, len(bad) - 1))
    bad[which] = hashlib.sha256(bad[which]).digest()
    assert not verifier.verify_consistency(old, size, mth(items[:old]), root, bad)


def test_proof_arguments_out_of_range_are_refused():
    items = leaves(4)
    with pytest.raises(ValueError, match="not in a tree"):
        merkle.inclusion_proof(4, 4, subtree_of(items))
    with pytest.raises(ValueError, match="no consistency proof"):
        merkle.consistency_proof(5, 4, subtree_of(items))


@pytest.mark.parametrize("width", [1, 2, 4, 8])
def test_frontiers_of_aligned_ranges_join_into_the_whole_tree(width):
    for total in range(0, 40):
        leaves = [leaf_hash(hashlib.sha256(f"{width}/{i}".encode()).digest()) for i in range(total)]
        whole = Frontier()
        for start in range(0, total, width):
            part = Frontier()
            for leaf in leaves[start : start + width]:
                part.append(leaf)
            whole.extend(part)
            assert whole.size == min(start + width, total)
            assert whole.root() == root_of(leaves[: whole.size])
        assert whole.root() == root_of(leaves)


def test_a_range_off_the_boundaries_is_refused():
    left, right = Frontier(), Frontier()
    left.append(leaf_hash(b"a" * 32))
    for _ in range(2):
        right.append(leaf_hash(b"b" * 32))
    with pytest.raises(ValueError, match="cannot follow"):
        left.extend(right)
