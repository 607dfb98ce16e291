"""The one progress callback type of long work: frames rendered, samples scored, septuplets indexed."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TypeVar

T = TypeVar("T")

#: ``progress(done, total)``: called as work advances, with the units finished so far and the units in all.
Progress = Callable[[int, int], None]


def drain(steps: Generator[object, None, T]) -> T:
    """Run a generator to the end and return its return value (``result = yield from steps`` without the steps)."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value
