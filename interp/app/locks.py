"""The inference lock shared by every session: first come, first served, and held only while a model computes.

A render used to hold the lock across all its frames and its PNG/GIF/MP4 encoding, so another session's preview
waited for the whole render (3-8 s). Now a render takes the lock once per step (``hold_per_step``: the pair's
preparation, then each network call) and a waiting preview is served between two of its frames: ``FairLock`` hands
the lock over in arrival order, where ``threading.Lock`` lets the thread that just released it take it straight back.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from types import TracebackType
from typing import TypeVar

T = TypeVar("T")


class FairLock:
    """A lock granted in the order it was asked for (a ticket lock); any thread may release it.

    Usable as a context manager, like ``threading.Lock``.
    """

    def __init__(self) -> None:
        self._turn = threading.Condition(threading.Lock())
        self._next_ticket = 0  # the ticket the next caller of ``acquire`` draws
        self._serving = 0  # the ticket that holds (or may take) the lock
        self._abandoned: set[int] = set()  # tickets whose callers stopped waiting

    def acquire(self) -> None:
        """Wait for this caller's turn and take the lock."""
        with self._turn:
            ticket = self._next_ticket
            self._next_ticket += 1
            try:
                while self._serving != ticket:
                    self._turn.wait()
            except BaseException:  # interrupted while waiting: give the turn up, or later callers wait forever
                self._abandoned.add(ticket)
                self._skip_abandoned()
                raise

    def release(self) -> None:
        """Hand the lock to the next caller in line."""
        with self._turn:
            if not self.locked():
                raise RuntimeError("release of an unlocked FairLock")
            self._serving += 1
            self._skip_abandoned()

    def _skip_abandoned(self) -> None:
        """Pass over tickets nobody waits for any more and wake the waiters (``self._turn`` held)."""
        while self._serving in self._abandoned:
            self._abandoned.discard(self._serving)
            self._serving += 1
        self._turn.notify_all()

    def locked(self) -> bool:
        """Whether some caller holds the lock."""
        return self._serving != self._next_ticket

    def waiting(self) -> int:
        """How many callers wait for the lock (not counting the holder)."""
        return max(0, self._next_ticket - self._serving - 1 - len(self._abandoned))

    def __enter__(self) -> FairLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.release()


def hold_per_step(steps: Iterator[T], lock: FairLock) -> Iterator[T]:
    """Yield the items of ``steps``, holding ``lock`` only while each one is computed (never across a yield).

    What the consumer does with an item (write a PNG, encode a GIF) runs without the lock, and whoever asked for the
    lock meanwhile gets it before the next item. Closing this iterator closes ``steps``.
    """
    try:
        while True:
            with lock:
                try:
                    item = next(steps)
                except StopIteration:
                    return
            yield item
    finally:
        close = getattr(steps, "close", None)
        if close is not None:
            close()
