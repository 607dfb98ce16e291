"""The one progress callback type of long work: frames rendered, samples scored, septuplets indexed."""

from __future__ import annotations

from collections.abc import Callable

#: ``progress(done, total)``: called as work advances, with the units finished so far and the units in all.
Progress = Callable[[int, int], None]
