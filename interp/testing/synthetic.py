"""Synthetic scenes with known answers: textured objects moving on straight paths over a textured background.

Every texture and shape is a continuous function of position, so a scene renders the **exact** frame for any
per-object distances (not only frame 0 and frame 1): object ``i`` at distance ``d`` sits at ``start + d * motion``;
the background slides by ``d_bg * background_motion``. Objects later in the list are on top. Deterministic from a
seed. Used by tests, benchmarks and the project's own demo inputs.

Frames are ``H x W x 3`` uint8 RGB; masks are ``H x W`` bool.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
from scipy.ndimage import map_coordinates

from interp.clip.store import MaskStore

SHAPES = ("ellipse", "rounded_rect", "superellipse")


@dataclass(frozen=True)
class Texture:
    """Multi-octave value noise in RGB: a continuous function of (x, y) in pixels.

    ``grids[k]`` is an ``h_k x w_k x 3`` array of random colours sampled every ``cells[k]`` pixels (bicubic), summed
    with weights and mapped into ``[low, high]`` per channel.
    """

    grids: tuple[np.ndarray, ...]
    cells: tuple[float, ...]
    weights: tuple[float, ...]
    low: np.ndarray
    high: np.ndarray

    def sample(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Colours at float coordinates ``x``, ``y`` (same shape S) -> ``S x 3`` float in [0, 255]."""
        total = np.zeros((*x.shape, 3))
        for grid, cell, weight in zip(self.grids, self.cells, self.weights, strict=True):
            centre = grid.shape[0] / 2  # grids cover [-extent, extent]: (0, 0) maps to the middle
            coords = [y / cell + centre, x / cell + centre]
            for c in range(3):
                total[..., c] += weight * map_coordinates(grid[..., c], coords, order=3, mode="mirror")
        total = np.clip(total, 0.0, 1.0)
        return self.low + total * (self.high - self.low)


def make_texture(rng: np.random.Generator, extent: float, base_cell: float, palette: np.ndarray) -> Texture:
    """A texture covering ``[-extent, extent]`` on both axes with octaves of ``base_cell``, /2, /4 pixels.

    Mostly luminance detail around ``palette`` with a little independent colour, like real surfaces.
    """
    cells = (base_cell, base_cell / 2, base_cell / 4)
    grids = []
    for cell in cells:
        n = int(2 * extent / cell) + 8
        luminance = rng.random((n, n, 1))
        grids.append(0.8 * luminance + 0.2 * rng.random((n, n, 3)))
    low = np.clip(palette - 80, 0, 255)
    high = np.clip(palette + 80, 0, 255)
    return Texture(tuple(grids), cells, (0.5, 0.3, 0.2), low, high)


@dataclass(frozen=True)
class MovingObject:
    """A textured shape centred at ``start`` (x, y) at distance 0 and at ``start + motion`` at distance 1."""

    shape: str
    radii: tuple[float, float]
    start: tuple[float, float]
    motion: tuple[float, float]
    texture: Texture
    angle: float = 0.0

    def centre(self, distance: float) -> tuple[float, float]:
        return self.start[0] + distance * self.motion[0], self.start[1] + distance * self.motion[1]

    def coverage(self, x: np.ndarray, y: np.ndarray, distance: float) -> np.ndarray:
        """Anti-aliased coverage in [0, 1] of pixel centres ``x``, ``y`` with the object at ``distance``."""
        cx, cy = self.centre(distance)
        cos, sin = np.cos(self.angle), np.sin(self.angle)
        u = (x - cx) * cos + (y - cy) * sin
        v = -(x - cx) * sin + (y - cy) * cos
        rx, ry = self.radii
        if self.shape == "rounded_rect":
            corner = 0.35 * min(rx, ry)
            qx, qy = np.abs(u) - rx + corner, np.abs(v) - ry + corner
            sdf = np.hypot(np.maximum(qx, 0), np.maximum(qy, 0)) + np.minimum(np.maximum(qx, qy), 0) - corner
        else:
            power = 2.0 if self.shape == "ellipse" else 4.0
            level = (np.abs(u / rx) ** power + np.abs(v / ry) ** power) ** (1.0 / power)
            sdf = (level - 1.0) * min(rx, ry)
        return np.clip(0.5 - sdf, 0.0, 1.0)

    def colours(self, x: np.ndarray, y: np.ndarray, distance: float) -> np.ndarray:
        """Texture colours (moving with the object) at pixel centres -> ``S x 3`` in [0, 255]."""
        cx, cy = self.centre(distance)
        return self.texture.sample(x - cx, y - cy)


@dataclass(frozen=True)
class Scene:
    """A background and moving objects (z-order: later on top). See the module docstring."""

    height: int
    width: int
    background: Texture
    background_motion: tuple[float, float]
    objects: tuple[MovingObject, ...]
    _grid: tuple[np.ndarray, np.ndarray] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ys, xs = np.mgrid[0 : self.height, 0 : self.width].astype(np.float64)
        object.__setattr__(self, "_grid", (xs, ys))

    def render(self, distances: Sequence[float] | None = None, background: float | None = None) -> np.ndarray:
        """The exact frame with object ``i`` at ``distances[i]`` and the background at ``background``.

        Defaults: every distance equal to ``background``, which defaults to 0. ``render(t, t)``-style calls with a
        constant give ordinary interpolation ground truth.
        """
        bg = 0.0 if background is None else float(background)
        ds = [bg] * len(self.objects) if distances is None else [float(d) for d in distances]
        if len(ds) != len(self.objects):
            raise ValueError(f"need {len(self.objects)} distances, got {len(ds)}")
        xs, ys = self._grid
        image = self.background.sample(xs - bg * self.background_motion[0], ys - bg * self.background_motion[1])
        for obj, d in zip(self.objects, ds, strict=True):
            alpha = obj.coverage(xs, ys, d)[..., None]
            inside = alpha[..., 0] > 0
            if inside.any():
                colours = np.zeros_like(image)
                colours[inside] = obj.colours(xs[inside], ys[inside], d)
                image = image * (1 - alpha) + colours * alpha
        return np.clip(np.rint(image), 0, 255).astype(np.uint8)

    def frame(self, t: float) -> np.ndarray:
        """Ordinary interpolation ground truth: everything at distance ``t``."""
        return self.render(background=t)

    def silhouette(self, index: int, distance: float) -> np.ndarray:
        """Object ``index``'s full shape (ignoring occlusion) at ``distance``: bool ``H x W``, coverage >= 0.5."""
        xs, ys = self._grid
        return self.objects[index].coverage(xs, ys, distance) >= 0.5

    def visible_masks(self, distances: Sequence[float] | None = None, background: float = 0.0) -> list[np.ndarray]:
        """Each object's visible pixels (not covered by objects above it) with the given distances."""
        ds = [background] * len(self.objects) if distances is None else list(distances)
        shapes = [self.silhouette(i, d) for i, d in enumerate(ds)]
        masks = []
        for i, shape in enumerate(shapes):
            covered = np.zeros_like(shape)
            for above in shapes[i + 1 :]:
                covered |= above
            masks.append(shape & ~covered)
        return masks

    def centres(self, distance: float = 0.0) -> list[tuple[float, float]]:
        """Object centres (x, y) at a distance (a click there lands on the object unless it is covered)."""
        return [obj.centre(distance) for obj in self.objects]


def make_scene(
    seed: int = 0,
    height: int = 256,
    width: int = 448,
    num_objects: int = 3,
    max_motion: float = 40.0,
    background_motion: tuple[float, float] | None = None,
) -> Scene:
    """A random scene: ``num_objects`` textured shapes, partly overlapping, moving up to ``max_motion`` px.

    The background moves by ``background_motion`` (default: a small random pan of up to 6 px).
    """
    if height < 32 or width < 32:
        raise ValueError(f"scenes must be at least 32 x 32, got {height} x {width}")
    rng = np.random.default_rng(seed)
    extent = max(height, width) + 2 * max_motion + 64
    background = make_texture(rng, extent, base_cell=24.0, palette=rng.uniform(60, 200, 3))
    if background_motion is None:
        background_motion = tuple(float(v) for v in rng.uniform(-6, 6, 2))
    scale = min(height, width)
    radii_all = [
        (float(rng.uniform(0.13, 0.2) * scale), float(rng.uniform(0.11, 0.18) * scale)) for _ in range(num_objects)
    ]
    # Objects sit side by side around the middle, close enough that neighbours tend to overlap a little.
    spacing = [0.0] + [0.85 * (max(a) + max(b)) for a, b in pairwise(radii_all)]
    row = sum(spacing[1:]) if num_objects > 1 else 0.0
    x = width / 2 - row / 2
    objects = []
    for i, radii in enumerate(radii_all):
        if i:
            x += spacing[i]
        cx = x + rng.uniform(-0.05, 0.05) * width
        cy = height * rng.uniform(0.35, 0.65)
        direction = rng.uniform(0, 2 * np.pi)
        length = rng.uniform(0.5, 1.0) * max_motion
        objects.append(
            MovingObject(
                shape=SHAPES[i % len(SHAPES)],
                radii=radii,
                start=(float(cx), float(cy)),
                motion=(float(length * np.cos(direction)), float(length * np.sin(direction))),
                texture=make_texture(rng, max(radii) + 8, base_cell=10.0, palette=rng.uniform(30, 230, 3)),
                angle=float(rng.uniform(0, np.pi)),
            )
        )
    return Scene(height, width, background, background_motion, tuple(objects))


@dataclass(frozen=True)
class SyntheticClip:
    """A clip of ``num_frames`` frames of a ``Scene`` whose whole motion spans the clip, with exact retimed frames.

    Clip time ``s`` is in frames (0 to ``num_frames - 1``): clip frame ``k`` is the scene with everything at distance
    ``k / (num_frames - 1)`` (the background pans, objects travel their straight paths at constant speed). Any
    per-object time renders exactly, so a retimed output (background at ``s_bg``, object ``i`` at ``s_i``) has a
    true frame to compare with.
    """

    scene: Scene
    num_frames: int

    def distance(self, time: float) -> float:
        """Clip time (frames) as the scene's distance in [0, 1]."""
        return float(time) / (self.num_frames - 1)

    def frame(self, index: int) -> np.ndarray:
        """Clip frame ``index``: ``H x W x 3`` uint8 RGB."""
        return self.scene.frame(self.distance(index))

    def render(self, background: float, objects: Sequence[float]) -> np.ndarray:
        """The exact frame with the background at clip time ``background`` and object ``i`` at ``objects[i]``."""
        return self.scene.render([self.distance(s) for s in objects], self.distance(background))

    def masks(self, index: int) -> list[np.ndarray]:
        """Each object's visible pixels on clip frame ``index`` (``H x W`` bool)."""
        d = self.distance(index)
        return self.scene.visible_masks([d] * len(self.scene.objects), d)

    def mask_store(self) -> MaskStore:
        """Every object's exact visible mask on every clip frame, in a ``MaskStore`` (close it when done)."""
        store = MaskStore(len(self.scene.objects), self.num_frames, self.scene.height, self.scene.width)
        for index in range(self.num_frames):
            for obj, mask in enumerate(self.masks(index)):
                store.put(obj, index, mask)
        return store

    def visible(self, background: float, objects: Sequence[float]) -> list[np.ndarray]:
        """Each object's visible pixels in ``render(background, objects)``."""
        return self.scene.visible_masks([self.distance(s) for s in objects], self.distance(background))


def make_clip(
    seed: int = 0,
    num_frames: int = 24,
    height: int = 256,
    width: int = 448,
    num_objects: int = 2,
    object_speed: float = 4.0,
    pan: tuple[float, float] = (1.5, 0.0),
) -> SyntheticClip:
    """A random clip: ``num_objects`` objects moving up to ``object_speed`` px per frame over a background panning
    ``pan`` px per frame (``(0, 0)``: a still camera)."""
    if num_frames < 2:
        raise ValueError(f"a clip needs at least 2 frames, got {num_frames}")
    span = num_frames - 1
    motion = (pan[0] * span, pan[1] * span)
    scene = make_scene(seed, height, width, num_objects, object_speed * span, motion)
    return SyntheticClip(scene, num_frames)
