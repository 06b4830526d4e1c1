"""An RFC 6962 Merkle tree over the audit chain, as pure functions.

The leaves are the events' chain hashes (32 raw bytes each), so no stored hash changes: event
``i`` (1-based) is leaf ``i - 1``. ``leaf = SHA-256(0x00 || chain hash)``, ``node =
SHA-256(0x01 || left || right)``, and the root of ``n`` leaves splits at the largest power of
two below ``n`` (RFC 6962 §2.1), as Certificate Transparency, Trillian and Rekor do. A tree of
size ``n`` commits to the first ``n`` events: an *inclusion proof* shows one event is among
them and a *consistency proof* shows a tree of size ``m`` is a prefix of one of size ``n``, each
with about log2(n) hashes.

Proofs are built from a ``subtree`` function that returns the root of a range of leaves; the
caller decides where the leaves come from (a database scan, a list in a test).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

Subtree = Callable[[int, int], bytes]
"""``subtree(lo, hi)``: the root of leaves ``lo`` (inclusive) to ``hi`` (exclusive)."""

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(chain_hash: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + chain_hash).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


class Frontier:
    """The roots of the perfect subtrees of a growing tree: append leaves, read the root.

    Holds at most log2(n) hashes, so a tree over any number of events is built in one pass in
    constant memory (Trillian calls this a compact range).
    """

    __slots__ = ("_nodes", "size")

    def __init__(self) -> None:
        self.size = 0
        self._nodes: list[bytes] = []

    def append(self, leaf: bytes) -> None:
        """Add one leaf hash (already ``leaf_hash``-ed)."""
        nodes = self._nodes
        nodes.append(leaf)
        self.size += 1
        size = self.size
        # Each trailing zero bit of the new size completes one perfect subtree.
        while not size & 1:
            right = nodes.pop()
            nodes[-1] = node_hash(nodes[-1], right)
            size >>= 1

    def copy(self) -> Frontier:
        twin = Frontier()
        twin.size, twin._nodes = self.size, list(self._nodes)
        return twin

    def extend(self, other: Frontier) -> None:
        """Add the leaves ``other`` was built from, as if appended one by one.

        ``other``'s subtrees must fall on this tree's boundaries: this size a multiple of the
        largest power of two in ``other.size`` (true when the leaves were cut into ranges
        that start at multiples of a power of two at least as wide as each range).
        """
        if other.size == 0:
            return
        widest = 1 << (other.size.bit_length() - 1)
        if self.size % widest:
            raise ValueError(f"{other.size} leaves cannot follow {self.size} as subtrees")
        nodes = self._nodes
        widths = [1 << b for b in reversed(range(widest.bit_length())) if other.size >> b & 1]
        for node, width in zip(other._nodes, widths, strict=True):
            nodes.append(node)
            self.size += width
            count = self.size // width
            while not count & 1:  # as in append, one level up per trailing zero bit
                right = nodes.pop()
                nodes[-1] = node_hash(nodes[-1], right)
                count >>= 1

    def root(self) -> bytes:
        if not self._nodes:
            return EMPTY_ROOT
        root = self._nodes[-1]
        for left in reversed(self._nodes[:-1]):
            root = node_hash(left, root)
        return root


def root_of(leaves: Iterable[bytes]) -> bytes:
    """The root over ``leaves`` (leaf hashes) in order."""
    frontier = Frontier()
    for leaf in leaves:
        frontier.append(leaf)
    return frontier.root()


def _split(n: int) -> int:
    """The largest power of two strictly below ``n`` (``n`` ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_proof(index: int, size: int, subtree: Subtree) -> list[bytes]:
    """RFC 6962 §2.1.1 audit path of leaf ``index`` (0-based) in the tree of ``size`` leaves."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    path: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            path.append(subtree(lo + k, hi))
            hi = lo + k
        else:
            path.append(subtree(lo, lo + k))
            lo += k
    path.reverse()  # the RFC lists the deepest sibling first
    return path


def consistency_proof(old_size: int, new_size: int, subtree: Subtree) -> list[bytes]:
    """RFC 6962 §2.1.2 proof that the first ``old_size`` leaves are a prefix of ``new_size``."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to {new_size}")
    if old_size == 0:
        return []  # the empty tree is a prefix of every tree
    proof: list[bytes] = []
    lo, hi, m, complete = 0, new_size, old_size, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            proof.append(subtree(lo + k, hi))
            hi = lo + k
        else:
            proof.append(subtree(lo, lo + k))
            lo, m, complete = lo + k, m - k, False
    if not complete:
        proof.append(subtree(lo, hi))
    proof.reverse()
    return proof
