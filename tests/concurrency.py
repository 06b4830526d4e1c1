"""Run many calls at once on threads released together, and sort what came back.

A domain error (a refusal, a conflict, a failed sign-in) is an outcome; anything else is an
internal error, which the concurrency tests require to be none at all.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from governance.errors import GovernanceError


@dataclass
class Outcomes:
    """What each call returned or raised, by (thread, call)."""

    results: dict[tuple[int, int], object] = field(default_factory=dict)
    internal: list[str] = field(default_factory=list)

    def of_type(self, kind: type) -> int:
        return sum(isinstance(r, kind) for r in self.results.values())


def hammer(
    act: Callable[[int, int], object], *, threads: int, calls: int, timeout: float = 300
) -> Outcomes:
    """Call ``act(thread, call)`` ``calls`` times on each of ``threads`` threads at once."""
    start = threading.Barrier(threads)
    outcomes = Outcomes()
    lock = threading.Lock()

    def worker(i: int) -> None:
        start.wait()
        for j in range(calls):
            try:
                result: object = act(i, j)
            except GovernanceError as exc:
                result = exc
            except Exception:
                with lock:
                    outcomes.internal.append(traceback.format_exc())
                continue
            with lock:
                outcomes.results[i, j] = result

    pool = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=timeout)
    if any(t.is_alive() for t in pool):
        raise AssertionError(f"calls still running after {timeout:.0f} s: a deadlock?")
    return outcomes
