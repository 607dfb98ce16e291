"""Soft mask edges by alpha matting along the border, so compositing does not cut hair and fur.

``soft_alpha`` turns a hard mask into an opacity map: pixels deeper than ``band`` inside the mask stay 1, pixels
farther than ``band`` outside stay 0, and the band between them is solved by closed-form matting (Levin et al. 2008,
``pymatting.estimate_alpha_cf``) on the image's colours, in a crop around the mask, downscaled when large. pymatting
compiles its kernels with numba on first use (seconds, once per process; cached on disk afterwards).
"""

from __future__ import annotations

import cv2
import numpy as np
from scipy import ndimage as ndi

from interp.errors import InputError
from sam_utils.masks import check_mask, disk
from sam_utils.prompts import check_image

#: Half width of the unknown band around the mask's border, as a share of the image's long side (4 px at 854 x 480).
BAND_SHARE = 0.005
#: The matting crop is downscaled to at most this many pixels (bounds time and memory: ~0.3 s at this size).
MAX_PIXELS = 160_000


def trimap(mask: np.ndarray, band: int) -> np.ndarray:
    """``H x W`` float64 trimap of a mask: 1 deeper than ``band`` px inside, 0 farther than ``band`` px outside,
    0.5 (unknown) between."""
    check_mask(mask)
    if band < 1:
        raise InputError(f"matting band must be >= 1 px, got {band!r}")
    inner = ndi.binary_erosion(mask, structure=disk(band), border_value=1)
    outer = ndi.binary_dilation(mask, structure=disk(band))
    result = np.full(mask.shape, 0.5)
    result[inner] = 1.0
    result[~outer] = 0.0
    return result


def soft_alpha(image: np.ndarray, mask: np.ndarray, band: int | None = None) -> np.ndarray:
    """The mask's opacity with matted edges: ``H x W`` float32 in [0, 1].

    Args:
        image: ``H x W x 3`` uint8 RGB, the frame the mask was made on.
        mask: ``H x W`` bool, the object.
        band: half width in pixels of the border band that is matted (default ``BAND_SHARE`` of the long side,
            at least 2 px). Outside the band the result equals the mask exactly.

    Returns:
        ``alpha``: 1 on the object, 0 off it, fractional in the band where the colours say the pixel mixes the
        object with what is behind it (a strand of hair, a blurred edge). ``alpha > 0.5`` is a hard mask again.
        Compositing uses it as ``alpha * object + (1 - alpha) * background``.
    """
    check_image(image)
    check_mask(mask, image.shape[:2])
    height, width = mask.shape
    if band is None:
        band = max(2, round(BAND_SHARE * max(height, width)))
    alpha = mask.astype(np.float32)
    if not mask.any() or mask.all():
        return alpha
    tri = trimap(mask, band)
    unknown = tri == 0.5
    ys, xs = np.nonzero(unknown)
    margin = 2 * band
    y0, y1 = max(0, int(ys.min()) - margin), min(height, int(ys.max()) + margin + 1)
    x0, x1 = max(0, int(xs.min()) - margin), min(width, int(xs.max()) + margin + 1)
    crop = image[y0:y1, x0:x1].astype(np.float64) / 255.0
    crop_tri = tri[y0:y1, x0:x1]
    factor = min(1.0, float(np.sqrt(MAX_PIXELS / crop_tri.size)))
    if factor < 1.0:
        size = (max(2, round((x1 - x0) * factor)), max(2, round((y1 - y0) * factor)))
        crop = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
        small = cv2.resize(crop_tri, size, interpolation=cv2.INTER_NEAREST)
        crop_tri = np.where(small == 0.5, 0.5, small)
    from pymatting import estimate_alpha_cf  # numba compiles on first use: imported only when matting runs

    matted = estimate_alpha_cf(crop, crop_tri)
    if factor < 1.0:
        matted = cv2.resize(matted, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
    region = alpha[y0:y1, x0:x1]
    band_here = unknown[y0:y1, x0:x1]
    region[band_here] = np.clip(matted[band_here], 0.0, 1.0)
    return alpha
