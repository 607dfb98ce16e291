"""The click canvas: frame 0 with each object's mask, outline and clicks in the object's colour."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

from interp.app.session import PendingOutline, SceneObject
from interp.core.colors import object_color
from sam_utils.masks import overlay

MARKER_RADIUS = 5


def draw_canvas(
    image: np.ndarray,
    objects: Sequence[SceneObject],
    selected: int | None,
    box_corner: tuple[float, float] | None = None,
    outline: PendingOutline | None = None,
) -> np.ndarray:
    """``H x W x 3`` uint8: masks filled and outlined, boxes as dashed-free rectangles, clicks drawn as + (include)
    and − (exclude) markers, the first corner of a box being drawn as a small cross, and an outline being drawn as
    its snapped path with its points (the first one larger: click it to close the outline).

    The selected object's mask is drawn more opaque so it stands out.
    """
    shown = [(i, o) for i, o in enumerate(objects) if o.mask is not None]
    canvas = image
    for index, obj in shown:
        alpha = 0.55 if index == selected else 0.35
        canvas = overlay(canvas, [obj.mask], [object_color(index)], alpha=alpha, outline_width=2)
    picture = Image.fromarray(canvas)
    draw = ImageDraw.Draw(picture)
    r = MARKER_RADIUS
    for index, obj in enumerate(objects):
        colour = object_color(index)
        if obj.box is not None:
            draw.rectangle([obj.box.x0, obj.box.y0, obj.box.x1 - 1, obj.box.y1 - 1], outline=colour, width=2)
        for click in obj.clicks:
            x, y = click.x, click.y
            draw.ellipse(
                [x - r, y - r, x + r, y + r],
                fill=(255, 255, 255) if click.positive else (0, 0, 0),
                outline=colour,
                width=2,
            )
            draw.line([x - r + 2, y, x + r - 2, y], fill=colour, width=2)
            if click.positive:
                draw.line([x, y - r + 2, x, y + r - 2], fill=colour, width=2)
    if box_corner is not None:
        x, y = box_corner
        draw.line([x - 2 * r, y, x + 2 * r, y], fill=(255, 255, 0), width=2)
        draw.line([x, y - 2 * r, x, y + 2 * r], fill=(255, 255, 0), width=2)
    if outline is not None and outline.points:
        for path in (p for p in outline.paths if len(p) > 1):
            draw.line([tuple(int(v) for v in point) for point in path], fill=(255, 255, 0), width=2)
        for number, (x, y) in enumerate(outline.points):
            size = r if number == 0 else r // 2 + 1
            draw.rectangle([x - size, y - size, x + size, y + size], outline=(255, 255, 0), width=2)
    return np.asarray(picture)
