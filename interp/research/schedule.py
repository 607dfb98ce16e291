"""The learning-rate schedule of the reference: linear warm-up, then cosine decay to 1% of the peak.

The reference peaks at 3e-4 for 4 GPUs x 16 samples and scales linearly with the total batch
(``lr * world_size / 4 * batch_size / 16``), i.e. ``3e-4 * batch / 64``; it warms up over 2000 steps and decays over
the rest of ``epochs x steps_per_epoch``. One difference: the reference's step 0 has a learning rate of exactly 0 (a
wasted step); here step ``s`` warms up to ``(s + 1) / warmup`` of the peak. ``warmup = 0`` is a plain cosine from the
peak (the AMT-S / IFRNet trainer's ``get_lr``); ``floor_ratio`` sets where the cosine ends (RIFE 1%, the other
families' ``lr_min`` 10%).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from interp.errors import InputError

REFERENCE_PEAK_LR = 3e-4
REFERENCE_BATCH = 64
REFERENCE_WARMUP = 2000
FLOOR_RATIO = 0.01


def default_peak_lr(batch_size: int) -> float:
    """The reference's peak learning rate for a total batch of ``batch_size``."""
    return REFERENCE_PEAK_LR * batch_size / REFERENCE_BATCH


def default_warmup(total_steps: int) -> int:
    """The reference's 2000 warm-up steps, but at most a tenth of a short run (at least 1)."""
    return max(1, min(REFERENCE_WARMUP, total_steps // 10))


@dataclass(frozen=True)
class WarmupCosine:
    """``lr(step)`` for ``step`` in ``0 .. total_steps - 1``."""

    peak: float
    total_steps: int
    warmup: int
    floor_ratio: float = FLOOR_RATIO

    def __post_init__(self) -> None:
        if not (self.peak > 0 and math.isfinite(self.peak)):
            raise InputError(f"the learning rate must be a positive number, got {self.peak!r}")
        if self.total_steps < 1 or not 0 <= self.warmup <= self.total_steps:
            raise InputError(f"need 0 <= warmup <= total steps, got warmup {self.warmup}, total {self.total_steps}")

    def __call__(self, step: int) -> float:
        if step < self.warmup:
            return self.peak * (step + 1) / self.warmup
        span = max(1, self.total_steps - self.warmup)
        progress = min(1.0, (step - self.warmup) / span)
        floor = self.peak * self.floor_ratio
        return floor + (self.peak - floor) * (0.5 + 0.5 * math.cos(math.pi * progress))
