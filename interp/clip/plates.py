"""Clean plates: a clip frame with some objects taken out, the background behind them taken from the clip's other
frames wherever one shows it (the camera registered between frames), and only what no frame shows invented.

Registration: a homography between neighbouring frames fitted to SIFT matches on the background (objects masked
out, MAGSAC), the identity where the camera holds still (corners move by under half a pixel); a frame farther away
is reached by chaining them. Each frame's matches are computed once at a working size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from interp.core.lru import LRUCache

#: Feature matching works on frames whose longer side is at most this many pixels.
REGISTER_SIDE = 640
#: A homography needs at least this many inlier matches to be trusted (else the pair is not registered).
MIN_INLIERS = 24
#: Corners that move less than this (pixels, full size) between frames: the camera is still, the identity is used.
STILL_CORNER_PX = 0.5
#: How far (frames, each way) a plate looks for background.
DEFAULT_REACH = 48
#: Removed regions grow by this share of the frame's longer side (tracked masks miss edges), at least 2 px.
GROW_SHARE = 0.006


@dataclass(frozen=True)
class Plate:
    """A clean plate: ``image`` ``H x W x 3`` uint8 RGB, and ``invented`` (``H x W`` bool) where no frame showed the
    background and it was inpainted."""

    image: np.ndarray
    invented: np.ndarray


def grow(mask: np.ndarray, pixels: int) -> np.ndarray:
    """``mask`` (``H x W`` bool) grown by ``pixels`` (a disk)."""
    if pixels <= 0 or not mask.any():
        return mask.copy()
    size = 2 * pixels + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    return cv2.dilate(mask.astype(np.uint8), kernel) > 0


def grow_px(height: int, width: int) -> int:
    """How far a removed region grows on an ``height x width`` frame."""
    return max(2, round(GROW_SHARE * max(height, width)))


def corner_motion(homography: np.ndarray, height: int, width: int) -> float:
    """Largest displacement (pixels) of the frame's four corners under ``homography``."""
    corners = np.array([[0, 0], [width, 0], [0, height], [width, height]], dtype=np.float64).reshape(-1, 1, 2)
    moved = cv2.perspectiveTransform(corners, homography)
    return float(np.abs(moved - corners).max())


def scaled(homography: np.ndarray, factor: float) -> np.ndarray:
    """A homography between images scaled by ``factor`` (working size -> full size when ``factor`` > 1)."""
    scale = np.diag([factor, factor, 1.0])
    return scale @ homography @ np.linalg.inv(scale)


@dataclass
class Registration:
    """Homographies between a clip's frames, fitted on the background and cached.

    ``frame(i)`` gives frame ``i`` (``H x W x 3`` uint8), ``objects(i)`` the union of the objects' masks on it.
    """

    frame: Callable[[int], np.ndarray]
    objects: Callable[[int], np.ndarray]
    height: int
    width: int
    _features: LRUCache = field(default_factory=lambda: LRUCache(8))
    _steps: dict[tuple[int, int], np.ndarray | None] = field(default_factory=dict)

    def _scale(self) -> float:
        return min(1.0, REGISTER_SIDE / max(self.height, self.width))

    def _detect(self, index: int) -> tuple[tuple, np.ndarray | None]:
        found = self._features.get(index)
        if found is None:
            scale = self._scale()
            size = (max(1, round(self.width * scale)), max(1, round(self.height * scale)))
            gray = cv2.cvtColor(cv2.resize(self.frame(index), size, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
            keep = ~grow(cv2.resize(self.objects(index).astype(np.uint8), size) > 0, 4)
            found = cv2.SIFT_create(nfeatures=2000).detectAndCompute(gray, keep.astype(np.uint8) * 255)
            self._features.put(index, found)
        return found

    def step(self, source: int, target: int) -> np.ndarray | None:
        """The full-size homography taking frame ``source``'s pixels onto frame ``target`` (neighbours or not), or
        None when the background does not give enough matches."""
        key = (source, target)
        if key not in self._steps:
            self._steps[key] = self._fit(source, target)
        return self._steps[key]

    def _fit(self, source: int, target: int) -> np.ndarray | None:
        (points_s, descriptors_s), (points_t, descriptors_t) = self._detect(source), self._detect(target)
        if descriptors_s is None or descriptors_t is None or len(points_s) < MIN_INLIERS or len(points_t) < MIN_INLIERS:
            return None
        pairs = cv2.BFMatcher(cv2.NORM_L2).knnMatch(descriptors_s, descriptors_t, k=2)
        good = [m[0] for m in pairs if len(m) == 2 and m[0].distance < 0.75 * m[1].distance]
        if len(good) < MIN_INLIERS:
            return None
        src = np.float32([points_s[m.queryIdx].pt for m in good]).reshape(-1, 1, 2)
        dst = np.float32([points_t[m.trainIdx].pt for m in good]).reshape(-1, 1, 2)
        homography, inliers = cv2.findHomography(src, dst, cv2.USAC_MAGSAC, 1.5)
        if homography is None or inliers is None or int(inliers.sum()) < MIN_INLIERS:
            return None
        full = scaled(homography, 1.0 / self._scale())
        if corner_motion(full, self.height, self.width) < STILL_CORNER_PX:
            return np.eye(3)
        return full

    def between(self, source: int, target: int) -> np.ndarray | None:
        """Frame ``source`` onto frame ``target`` by chaining neighbour steps (None where a step fails)."""
        total = np.eye(3)
        direction = 1 if target > source else -1
        for index in range(source, target, direction):
            step = self.step(index, index + direction)
            if step is None:
                return None
            total = step @ total
        return total


def search_order(index: int, num_frames: int, reach: int = DEFAULT_REACH) -> list[int]:
    """The frames a plate for ``index`` looks at, nearest first, alternating sides: 4 of 10 -> 5, 3, 6, 2, ..."""
    order = []
    for gap in range(1, reach + 1):
        order += [i for i in (index + gap, index - gap) if 0 <= i < num_frames]
    return order


def clean_plate(
    index: int,
    remove: np.ndarray,
    registration: Registration,
    num_frames: int,
    reach: int = DEFAULT_REACH,
) -> Plate:
    """Frame ``index`` with the pixels of ``remove`` (``H x W`` bool, grown by ``grow_px``) replaced by background.

    Frames are tried nearest first: a frame's pixels are taken, registered onto frame ``index``, wherever no object
    covers them there (every object's mask, grown). What no frame within ``reach`` shows is inpainted (OpenCV Telea)
    and marked ``invented``. Only the window around the removed pixels is warped and compared, so a plate costs what
    the removed region's size asks, not the frame's.
    """
    height, width = registration.height, registration.width
    image = registration.frame(index).copy()
    pixels = grow_px(height, width)
    missing = grow(remove, pixels)
    if not missing.any():
        return Plate(image, missing)
    rows, cols = np.nonzero(missing.any(axis=1))[0], np.nonzero(missing.any(axis=0))[0]
    margin = pixels + 2  # objects farther from the removed pixels than this cannot grow into them
    top, left = max(0, rows[0] - margin), max(0, cols[0] - margin)
    bottom, right = min(height, rows[-1] + 1 + margin), min(width, cols[-1] + 1 + margin)
    size = (int(right - left), int(bottom - top))
    window = (slice(top, bottom), slice(left, right))
    to_window = np.array([[1.0, 0.0, -left], [0.0, 1.0, -top], [0.0, 0.0, 1.0]])
    patch, wanted = image[window], missing[window]
    for other in search_order(index, num_frames, reach):
        homography = registration.between(other, index)
        if homography is None:
            continue
        objects = registration.objects(other).astype(np.uint8)
        if np.allclose(homography, np.eye(3)):
            warped, covered = registration.frame(other)[window], objects[window] > 0
        else:
            moved = to_window @ homography
            warped = cv2.warpPerspective(registration.frame(other), moved, size, flags=cv2.INTER_LINEAR)
            # outside the other frame counts as covered: no pixel from beyond its border
            covered = cv2.warpPerspective(objects, moved, size, flags=cv2.INTER_NEAREST, borderValue=1) > 0
        take = wanted & ~grow(covered, pixels)
        if take.any():
            patch[take] = warped[take]
            wanted &= ~take
        if not wanted.any():
            break
    invented = np.zeros_like(missing)
    invented[window] = wanted
    if invented.any():
        image = cv2.inpaint(image, invented.astype(np.uint8), 5, cv2.INPAINT_TELEA)
    return Plate(image, invented)
