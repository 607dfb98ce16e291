"""Live preview: one manipulated frame at time t, fast enough to follow a slider.

The pair is prepared (encoded, flow estimated) once per frames/masks version at a bounded preview size, and every
rendered frame is cached by the distances it shows, so scrubbing back and forth or editing a curve elsewhere reuses
work. That work lives in one ``PreviewStore`` for the whole process, bounded in bytes and pairs whatever the number
of sessions; a session holds only its handle (``PreviewCache``), and ``forget`` releases its share when it ends.
Models are shared (``ModelPool``) behind one inference lock.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from interp.app.locks import FairLock
from interp.app.session import Session, masked_objects
from interp.core.colors import INVENTED_COLOR
from interp.core.images import resize, resize_mask, tint, to_uint8
from interp.core.lru import LRUCache
from interp.engine.interpolator import DEFAULT_ITERS, Interpolator, check_iters
from interp.engine.manipulator import Manipulator, PreparedPair, choose_renderer
from interp.errors import InputError
from interp.limits import working_size
from interp.models.paths import is_present
from interp.models.registry import Kind, get_spec, interpolator_names

#: Previews are rendered with the longest side at most this many pixels.
PREVIEW_MAX_SIDE = 512
#: Rendered preview frames kept, all sessions together (a 512x288 frame is 0.4 MiB): by count and by bytes.
PREVIEW_CACHE_FRAMES = 2048
PREVIEW_CACHE_BYTES = 192 * 2**20
#: Prepared pairs (encoded frames, flows, layers: about 20 MiB at the preview size) kept, all sessions together.
PREVIEW_CACHE_PAIRS = 6


class ModelPool:
    """Loaded interpolators by name, shared by every session, with one lock around inference.

    The lock is fair (``interp.app.locks.FairLock``) and held per network call, never across a render's frames: a
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


class PreviewStore:
    """The preview work of every session, bounded for the whole process: frames by count and bytes, pairs by count.

    Keys start with the owning session's id (``PreviewCache.owner``), so one session's share can be released.
    """

    def __init__(
        self,
        max_frames: int = PREVIEW_CACHE_FRAMES,
        max_bytes: int = PREVIEW_CACHE_BYTES,
        max_pairs: int = PREVIEW_CACHE_PAIRS,
    ) -> None:
        self.frames: LRUCache[tuple, np.ndarray] = LRUCache(max_frames, max_bytes)
        self.pairs: LRUCache[tuple, PreparedPair] = LRUCache(max_pairs)

    def forget(self, owner: int, keep_key: tuple | None = None) -> None:
        """Drop ``owner``'s frames and pairs (except those made for ``keep_key``, the version still shown)."""
        for cache in (self.frames, self.pairs):
            cache.discard(lambda key: key[0] != owner or (keep_key is not None and key[1:3] == keep_key))


#: The store of every ``PreviewCache`` not given its own: one per process.
SHARED_STORE = PreviewStore()
_owners = itertools.count(1)


@dataclass
class PreviewCache:
    """One session's handle on the process-wide ``PreviewStore``: its owner id and the (version, model) it shows.

    A copy (Gradio deep-copies a ``gr.State``'s value for every new session) is a new, empty handle on the same store.
    """

    store: PreviewStore = field(default_factory=lambda: SHARED_STORE)
    owner: int = field(default_factory=lambda: next(_owners))
    key: tuple[int, str] | None = None

    def __deepcopy__(self, memo: dict) -> PreviewCache:
        return PreviewCache(store=self.store)

    @property
    def frames(self) -> dict[tuple, np.ndarray]:
        """This session's cached frames (a snapshot)."""
        keys = [key for key in self.store.frames.held_keys() if key[0] == self.owner]
        return {key: frame for key in keys if (frame := self.store.frames.get(key)) is not None}

    def forget(self) -> None:
        """Release everything this session has in the store (its session ended)."""
        self.store.forget(self.owner)
        self.key = None


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
    iters: int = DEFAULT_ITERS,
    show_invented: bool = False,
) -> np.ndarray:
    """The manipulated frame at time ``t`` (``H x W x 3`` uint8, preview size), rendered as a render would be: with
    the same renderer and, for the [R] models, the same number of iterations (``iters``). ``show_invented`` tints
    the pixels no input frame shows (``INVENTED_COLOR``), which the renderer filled by inpainting."""
    if not session.has_frames:
        raise InputError("no frames loaded")
    interpolator = pool.get(model)
    renderer = choose_renderer(interpolator, renderer)
    objects, background = distances_at(session, float(np.clip(t, 0.0, 1.0)))
    iters = check_iters(iters) if interpolator.spec.iterative else DEFAULT_ITERS
    key = (session.version, interpolator.spec.name, iters)
    if cache.key != key:  # new frames, masks or model: the session's older work is of no further use
        cache.key = key
        cache.store.forget(cache.owner, keep_key=key)
    pair_key = (cache.owner, *key)
    frame_key = (*pair_key, renderer, show_invented, round(background, 4), *np.round(objects, 4).tolist())
    cached = cache.store.frames.get(frame_key)
    if cached is not None:
        return cached
    manipulator = Manipulator(interpolator, iters=iters)
    with pool.lock:
        prepared = cache.store.pairs.get(pair_key)
        if prepared is None:
            height, width = working_size(*session.size, limit=PREVIEW_MAX_SIDE)
            masks = [resize_mask(o.mask, height, width) for o in masked_objects(session)]
            prepared = manipulator.prepare(
                resize(session.img0, height, width), resize(session.img1, height, width), masks
            )
            cache.store.pairs.put(pair_key, prepared)
        frame = manipulator.render_one(prepared, objects, background, renderer)
    image = to_uint8(frame.image)
    if show_invented:
        image = tint(image, frame.invented, INVENTED_COLOR)
    cache.store.frames.put(frame_key, image)
    return image
