"""Live preview: one manipulated frame at time t, fast enough to follow a slider.

The pair is prepared (encoded, flow estimated) once per frames/masks version at a bounded preview size, and every
rendered frame is cached by the distances it shows, so scrubbing back and forth or editing a curve elsewhere reuses
work. Caches live on the session (``PreviewCache``); models are shared (``ModelPool``) behind one inference lock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from interp.engine import Interpolator, to_uint8
from interp.locks import FairLock
from interp.lru import LRUCache
from interp.manipulate import Manipulator, PreparedPair, check_renderer, default_renderer
from interp.models.registry import Kind, get_spec, interpolator_names
from interp.session import Session, masked_objects, resize, resize_mask, working_size
from interp.weights import is_present

#: Previews are rendered with the longest side at most this many pixels.
PREVIEW_MAX_SIDE = 512
PREVIEW_CACHE_FRAMES = 96


class ModelPool:
    """Loaded interpolators by name, shared by every session, with one lock around inference.

    The lock is fair (``interp.locks.FairLock``) and held per network call, never across a render's frames: a
    preview asked for while a render runs is served between two of its frames.
    """

    def __init__(self, loader: Callable[[str], Interpolator] = Interpolator.load) -> None:
        self._loader = loader
        self._models: dict[str, Interpolator] = {}
        self.lock = FairLock()

    def get(self, name: str) -> Interpolator:
        """The interpolator for ``name`` (loaded on first use)."""
        spec = get_spec(name, Kind.INTERPOLATOR)
        with self.lock:
            if spec.name not in self._models:
                self._models[spec.name] = self._loader(spec.name)
            return self._models[spec.name]


def available_models() -> list[str]:
    """Interpolation models whose weights are present (the app offers only these)."""
    return [name for name in interpolator_names() if is_present(get_spec(name))]


@dataclass
class PreviewCache:
    """Per-session preview state: the prepared pair for one (version, model) and rendered frames."""

    key: tuple[int, str] | None = None
    prepared: PreparedPair | None = None
    frames: LRUCache[tuple, np.ndarray] = field(default_factory=lambda: LRUCache(PREVIEW_CACHE_FRAMES))


def distances_at(session: Session, t: float) -> tuple[np.ndarray, float]:
    """Object distances (masked objects, in order) and the background distance at time ``t``."""
    objects = np.array([float(o.curve(t)) for o in masked_objects(session)])
    return objects, float(session.background(t))


def preview_frame(
    session: Session,
    cache: PreviewCache,
    pool: ModelPool,
    model: str,
    t: float,
    renderer: str | None = None,
) -> np.ndarray:
    """The manipulated frame at time ``t`` (``H x W x 3`` uint8, preview size)."""
    if not session.has_frames:
        raise ValueError("no frames loaded")
    interpolator = pool.get(model)
    renderer = check_renderer(renderer) if renderer else default_renderer(interpolator)
    objects, background = distances_at(session, float(np.clip(t, 0.0, 1.0)))
    key = (session.version, interpolator.spec.name)
    if cache.key != key:
        cache.key, cache.prepared = key, None
        cache.frames.clear()
    frame_key = (renderer, round(background, 4), *np.round(objects, 4).tolist())
    cached = cache.frames.get(frame_key)
    if cached is not None:
        return cached
    manipulator = Manipulator(interpolator)
    with pool.lock:
        if cache.prepared is None:
            height, width = working_size(*session.size, limit=PREVIEW_MAX_SIDE)
            masks = [resize_mask(o.mask, height, width) for o in masked_objects(session)]
            cache.prepared = manipulator.prepare(
                resize(session.img0, height, width), resize(session.img1, height, width), masks
            )
        frame = next(manipulator.render(cache.prepared, objects[None, :], np.array([background]), renderer))
    image = to_uint8(frame)
    cache.frames.put(frame_key, image)
    return image
