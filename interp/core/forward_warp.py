"""Forward warping (splatting) and flow conversions, as pure NumPy functions.

Flows are ``2 x H x W`` float arrays in pixels (x then y). A flow "on the grid of frame a towards frame b" says where
each pixel of frame a goes in frame b.
"""

from __future__ import annotations

import cv2
import numpy as np


def splat(values: np.ndarray, flow: np.ndarray, weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Bilinear forward warp: move every source pixel by ``flow`` and spread it over its 4 target neighbours.

    Args:
        values: ``C x H x W`` source values.
        flow: ``2 x H x W`` displacement of each source pixel.
        weights: optional ``H x W`` per-source-pixel weight (0 excludes a pixel).

    Returns:
        (``C x H x W`` weighted sums, ``H x W`` summed weights) on the target grid; divide where weights > 0.
    """
    channels, height, width = values.shape
    size = height * width
    if weights is None:
        source = np.arange(size)
        base = np.ones(size)
    else:
        source = np.flatnonzero(weights)
        base = weights.ravel()[source].astype(np.float64)
    ys, xs = np.divmod(source, width)
    tx = xs + flow[0].ravel()[source]
    ty = ys + flow[1].ravel()[source]
    x0 = np.floor(tx).astype(np.int64)
    y0 = np.floor(ty).astype(np.int64)
    fx, fy = tx - x0, ty - y0
    picked = values.reshape(channels, size)[:, source].astype(np.float64)
    sums = np.zeros((channels, size))
    total = np.zeros(size)
    for dx, dy, w in ((0, 0, (1 - fx) * (1 - fy)), (1, 0, fx * (1 - fy)), (0, 1, (1 - fx) * fy), (1, 1, fx * fy)):
        cx, cy = x0 + dx, y0 + dy
        inside = (cx >= 0) & (cx < width) & (cy >= 0) & (cy < height)
        index = (cy * width + cx)[inside]
        weight = (w * base)[inside]
        total += np.bincount(index, weight, size)
        for c in range(channels):
            sums[c] += np.bincount(index, weight * picked[c][inside], size)
    return sums.reshape(channels, height, width), total.reshape(height, width)


def splat_mask(mask: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """Forward-warp a bool ``H x W`` mask; a target pixel is set where at least half a source pixel lands."""
    _, coverage = splat(np.zeros((0, *mask.shape)), flow, mask.astype(np.float64))
    return coverage >= 0.5


def endpoint_flows(flow_mid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Convert the network's flows at t = 0.5 to each source frame's grid.

    Args:
        flow_mid: ``4 x H x W``: ``F_0.5->0`` (channels 0-1) and ``F_0.5->1`` (2-3) on the middle frame's grid.

    Returns:
        (``F_0->1`` on frame 0's grid, ``F_1->0`` on frame 1's grid), each ``2 x H x W``. A middle pixel ``m`` comes
        from ``m + F_0.5->0(m)`` in frame 0 and goes to ``m + F_0.5->1(m)`` in frame 1, so frame 0's pixel there
        moves by ``F_0.5->1(m) - F_0.5->0(m)``; these values are splatted onto each end frame's grid. Pixels nothing
        lands on (occlusions) take the value at the same position on the middle grid.
    """
    to0, to1 = flow_mid[:2].astype(np.float64), flow_mid[2:4].astype(np.float64)
    through = to1 - to0
    results = []
    for offset, value in ((to0, through), (to1, -through)):
        sums, weight = splat(value, offset)
        filled = np.where(weight > 1e-3, sums / np.maximum(weight, 1e-3), value)
        results.append(filled.astype(np.float32))
    return results[0], results[1]


def sample_bilinear(values: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """Backward warp: ``out(x) = values(x + flow(x))`` for ``C x H x W`` values (edges clamped)."""
    height, width = flow.shape[1:]
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    map_x, map_y = xs + flow[0].astype(np.float32), ys + flow[1].astype(np.float32)
    return np.stack(
        [
            cv2.remap(v.astype(np.float32), map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            for v in values
        ]
    )


def round_trip_error(flow_ab: np.ndarray, flow_ba: np.ndarray) -> np.ndarray:
    """Forward-backward consistency, ``H x W`` pixels: ``|F_ab(x) + F_ba(x + F_ab(x))|`` (large where occluded)."""
    back = sample_bilinear(flow_ba, flow_ab)
    return np.hypot(flow_ab[0] + back[0], flow_ab[1] + back[1])
