"""Draw distance curves as an image (no plotting library needed): t across, d up, one colour per object."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from interp.colors import BACKGROUND_COLOR, object_color
from interp.curves import KNOTS, Curve

WIDTH, HEIGHT = 520, 300
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 44, 130, 14, 34
GRID = (225, 225, 225)
AXES = (90, 90, 90)
SAMPLES = 121


def _to_pixel(t: np.ndarray, d: np.ndarray) -> list[tuple[float, float]]:
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    xs = MARGIN_LEFT + t * plot_w
    ys = MARGIN_TOP + (1 - d) * plot_h
    return list(zip(xs.tolist(), ys.tolist(), strict=True))


def _dashed(draw: ImageDraw.ImageDraw, points: list[tuple[float, float]], fill: tuple[int, int, int]) -> None:
    for index in range(0, len(points) - 1, 4):
        draw.line(points[index : index + 3], fill=fill, width=3)


def plot_curves(
    curves: Sequence[Curve],
    names: Sequence[str],
    background: Curve,
    highlight: int | None = None,
    time_marker: float | None = None,
) -> np.ndarray:
    """``HEIGHT x WIDTH x 3`` uint8 RGB plot of every object's curve (in its colour) and the background's (dashed).

    Args:
        curves, names: one per object, in order (colours follow ``interp.colors.object_color``).
        background: the background curve.
        highlight: index of the selected object (drawn thicker, with its keyframes).
        time_marker: a vertical line at this time (the preview's position), if given.
    """
    image = Image.new("RGB", (WIDTH, HEIGHT), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    for value in (0.0, 0.25, 0.5, 0.75, 1.0):
        (x0, y0), (x1, y1) = _to_pixel(np.array([0.0, 1.0]), np.array([value, value]))
        draw.line([(x0, y0), (x1, y1)], fill=GRID)
        draw.text((6, y0 - 6), f"{value:.2f}", fill=AXES, font=font)
    for knot in KNOTS:
        (x0, y0), (x1, y1) = _to_pixel(np.array([knot, knot]), np.array([0.0, 1.0]))
        draw.line([(x0, y0), (x1, y1)], fill=GRID)
        draw.text((x0 - 10, HEIGHT - MARGIN_BOTTOM + 4), f"{knot:g}", fill=AXES, font=font)
    draw.text((MARGIN_LEFT, HEIGHT - 14), "time t  (distance d up)", fill=AXES, font=font)
    if time_marker is not None:
        (x0, y0), (x1, y1) = _to_pixel(np.array([time_marker] * 2), np.array([0.0, 1.0]))
        draw.line([(x0, y0), (x1, y1)], fill=(0, 0, 0), width=1)
    t = np.linspace(0.0, 1.0, SAMPLES)
    _dashed(draw, _to_pixel(t, background(t)), BACKGROUND_COLOR)
    legend = [("background", BACKGROUND_COLOR)]
    for index, (curve, name) in enumerate(zip(curves, names, strict=True)):
        colour = object_color(index)
        selected = index == highlight
        draw.line(_to_pixel(t, curve(t)), fill=colour, width=4 if selected else 2, joint="curve")
        if selected:
            for x, y in _to_pixel(np.array([k[0] for k in curve.keyframes]), np.array([k[1] for k in curve.keyframes])):
                draw.ellipse([x - 4, y - 4, x + 4, y + 4], fill=colour, outline=(0, 0, 0))
        legend.append((name, colour))
    for row, (name, colour) in enumerate(legend):
        y = MARGIN_TOP + 4 + 16 * row
        x = WIDTH - MARGIN_RIGHT + 12
        draw.rectangle([x, y + 2, x + 14, y + 10], fill=colour)
        draw.text((x + 20, y), name[:16], fill=(30, 30, 30), font=font)
    return np.asarray(image)
