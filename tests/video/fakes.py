"""A stand-in for the network that the driver tests can count on."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np


class BlendInterpolator:
    """Duck-types ``Interpolator`` for the driver: encodes by copying, renders ``(1 - t) a + t b``, records calls."""

    batch_size = 1

    def __init__(self) -> None:
        self.encoded: list[int] = []  # ids of the frames encoded, in order
        self.pairs: list[tuple[np.ndarray, np.ndarray]] = []  # the two encodings of each pair
        self.calls: list[list[float]] = []  # times asked for, per render call

    def encode_frame(self, image: np.ndarray) -> np.ndarray:
        self.encoded.append(id(image))
        return image.astype(np.float32) / 255.0

    def encode_pair(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self.pairs.append((a, b))
        return a, b

    @property
    def times(self) -> list[float]:
        """Every time rendered, in order."""
        return [t for call in self.calls for t in call]

    def iter_render(self, pair: tuple[np.ndarray, np.ndarray], maps: Sequence[float], iters: int = 2) -> Iterator:
        self.calls.append(list(maps))
        for t in maps:
            yield (1 - t) * pair[0] + t * pair[1]
