"""Pure mask operations: clean-up, set operations, dilation, interior points, coloured overlays, PNG in and out.

Masks are ``H x W`` bool arrays; images are ``H x W x 3`` uint8 RGB. Every function returns a new array and leaves
its inputs untouched. Overlays use the project's one object palette (``interp.core.colors``), the same colours the app
uses for the distance curves.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError
from scipy import ndimage as ndi

from interp.core.colors import object_color
from interp.errors import InputError
from interp.io.files import atomic_path

#: 4-connectivity: two pixels belong to one island only if they share an edge.
_FOUR = ndi.generate_binary_structure(2, 1)


def check_mask(mask: np.ndarray, shape: tuple[int, int] | None = None) -> np.ndarray:
    """Validate an ``H x W`` bool mask (and its size when ``shape`` is given); return it."""
    if not isinstance(mask, np.ndarray) or mask.dtype != np.bool_ or mask.ndim != 2:
        described = f"{mask.dtype} {mask.shape}" if isinstance(mask, np.ndarray) else type(mask).__name__
        raise InputError(f"a mask must be an H x W bool array, got {described}")
    if shape is not None and mask.shape != tuple(shape):
        raise InputError(f"mask is {mask.shape[0]} x {mask.shape[1]}, expected {shape[0]} x {shape[1]}")
    return mask


def _same_shape(a: np.ndarray, b: np.ndarray) -> None:
    check_mask(a)
    check_mask(b, a.shape)


def union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pixels in ``a`` or ``b`` (both ``H x W`` bool)."""
    _same_shape(a, b)
    return a | b


def subtract(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pixels in ``a`` and not in ``b`` (both ``H x W`` bool)."""
    _same_shape(a, b)
    return a & ~b


def disk(radius: int) -> np.ndarray:
    """A ``(2r+1) x (2r+1)`` bool disk (pixel centres within ``radius`` of the middle)."""
    if radius < 0:
        raise InputError(f"radius must be >= 0, got {radius!r}")
    offsets = np.arange(-radius, radius + 1)
    return offsets[:, None] ** 2 + offsets[None, :] ** 2 <= radius * radius


def squares(shape: tuple[int, int], points: Sequence[tuple[int, int]], radius: int) -> np.ndarray:
    """``H x W`` bool: the ``(2 radius + 1)``-pixel squares centred on ``points`` (``(x, y)`` pixel indices), cut at
    the image's edges."""
    result = np.zeros(shape, bool)
    for x, y in points:
        result[max(0, y - radius) : y + radius + 1, max(0, x - radius) : x + radius + 1] = True
    return result


def dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    """Grow a mask by ``radius`` pixels (a disk); ``radius`` 0 returns a copy."""
    check_mask(mask)
    if radius == 0:
        return mask.copy()
    return ndi.binary_dilation(mask, structure=disk(radius))


def erode(mask: np.ndarray, radius: int) -> np.ndarray:
    """Shrink a mask by ``radius`` pixels (a disk); pixels outside the image count as background."""
    check_mask(mask)
    if radius == 0:
        return mask.copy()
    return ndi.binary_erosion(mask, structure=disk(radius), border_value=0)


def remove_small_islands(mask: np.ndarray, min_size: int) -> np.ndarray:
    """Drop 4-connected foreground islands with fewer than ``min_size`` pixels."""
    check_mask(mask)
    labels, count = ndi.label(mask, structure=_FOUR)
    if count == 0:
        return mask.copy()
    sizes = np.bincount(labels.ravel(), minlength=count + 1)
    keep = sizes >= min_size
    keep[0] = False
    return keep[labels]


def fill_small_holes(mask: np.ndarray, max_size: int) -> np.ndarray:
    """Fill background regions with at most ``max_size`` pixels that do not touch the image border."""
    check_mask(mask)
    labels, count = ndi.label(~mask, structure=_FOUR)
    if count == 0:
        return mask.copy()
    sizes = np.bincount(labels.ravel(), minlength=count + 1)
    border = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    fill = sizes <= max_size
    fill[0] = False
    fill[border] = False
    return mask | fill[labels]


def clean_mask(mask: np.ndarray, min_island: int, max_hole: int) -> np.ndarray:
    """Remove islands smaller than ``min_island`` pixels, then fill holes of up to ``max_hole`` pixels."""
    return fill_small_holes(remove_small_islands(mask, min_island), max_hole)


def components_touching(mask: np.ndarray, region: np.ndarray) -> np.ndarray:
    """The 4-connected islands of ``mask`` that overlap ``region`` (both ``H x W`` bool)."""
    _same_shape(mask, region)
    labels, _ = ndi.label(mask, structure=_FOUR)
    ids = np.unique(labels[region & mask])
    if ids.size == 0:
        return np.zeros_like(mask)
    return np.isin(labels, ids)


def components_at(mask: np.ndarray, points: Sequence[tuple[int, int]]) -> np.ndarray:
    """The 4-connected islands of ``mask`` that contain any of ``points`` (``(x, y)`` pixel indices)."""
    check_mask(mask)
    region = np.zeros_like(mask)
    height, width = mask.shape
    for x, y in points:
        if 0 <= x < width and 0 <= y < height:
            region[y, x] = True
    return components_touching(mask, region)


def outline(mask: np.ndarray, width: int = 1) -> np.ndarray:
    """The mask's pixels within ``width`` pixels of its boundary (the image border is not a boundary)."""
    check_mask(mask)
    if width < 1:
        raise InputError(f"outline width must be >= 1, got {width!r}")
    inner = ndi.binary_erosion(mask, structure=disk(width), border_value=1)
    return mask & ~inner


def overlay(
    image: np.ndarray,
    masks: Sequence[np.ndarray],
    colors: Sequence[tuple[int, int, int]] | None = None,
    alpha: float = 0.45,
    outline_width: int = 2,
) -> np.ndarray:
    """Draw masks over an image: each filled with its colour at ``alpha`` and outlined in the full colour.

    Args:
        image: ``H x W x 3`` uint8 RGB.
        masks: ``H x W`` bool masks, drawn in order (later ones on top).
        colors: one RGB colour per mask; default ``object_color(i)`` for mask ``i`` (the app's palette).
        alpha: fill opacity in [0, 1].
        outline_width: outline thickness in pixels (0 for none).

    Returns:
        A new ``H x W x 3`` uint8 RGB image.
    """
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise InputError(f"an image must be H x W x 3 uint8, got {image.dtype} {image.shape}")
    if not 0.0 <= alpha <= 1.0:
        raise InputError(f"alpha must be in [0, 1], got {alpha!r}")
    if colors is not None and len(colors) != len(masks):
        raise InputError(f"need one colour per mask: {len(masks)} masks, got {len(colors)} colours")
    result = image.astype(np.float32)
    for index, mask in enumerate(masks):
        check_mask(mask, image.shape[:2])
        color = np.asarray(colors[index] if colors is not None else object_color(index), dtype=np.float32)
        result[mask] = (1.0 - alpha) * result[mask] + alpha * color
        if outline_width > 0:
            result[outline(mask, outline_width)] = color
    return np.clip(np.rint(result), 0, 255).astype(np.uint8)


def to_grey(mask: np.ndarray) -> np.ndarray:
    """``H x W`` bool -> ``H x W`` uint8 with 255 for the object and 0 for the background."""
    return check_mask(mask).astype(np.uint8) * 255


def write_mask_png(path: Path | str, mask: np.ndarray) -> Path:
    """Write a mask as an 8-bit greyscale PNG (255 = object, 0 = background), atomically."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise InputError(f"a mask file must be a .png, got {str(path)!r}")
    data = to_grey(mask)
    with atomic_path(path) as tmp:
        Image.fromarray(data).save(tmp, format="PNG")  # 2-D uint8 is 8-bit greyscale ("L")
    return path


def read_mask_png(path: Path | str) -> np.ndarray:
    """Read a mask image as ``H x W`` bool: a pixel is in the mask when its grey level is > 127.

    Images with a transparency channel that is used (some pixel not opaque) are read by their alpha instead.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no such mask file: {path}")
    try:
        with Image.open(path) as image:
            if image.mode in ("RGBA", "LA", "PA"):
                alpha = np.asarray(image.getchannel("A"))
                if (alpha < 255).any():
                    return alpha > 127
            return np.asarray(image.convert("L")) > 127
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise InputError(f"cannot read mask {path}: not an image or the file is corrupt ({exc})") from exc
