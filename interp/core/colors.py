"""One palette for objects: the mask overlays, the curve plot and the object list all use these colours."""

from __future__ import annotations

from interp.errors import InputError

#: Object colours (RGB, 0-255), assigned in order and reused cyclically. Chosen to stay distinct from each other and
#: readable on photos (Tableau 10 without its grey).
OBJECT_COLORS: tuple[tuple[int, int, int], ...] = (
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (188, 189, 34),
    (23, 190, 207),
)
#: The background curve's colour.
BACKGROUND_COLOR: tuple[int, int, int] = (127, 127, 127)
#: The tint of invented pixels (background no input frame shows) in the preview.
INVENTED_COLOR: tuple[int, int, int] = (255, 0, 255)


def object_color(index: int) -> tuple[int, int, int]:
    """Colour of the object at ``index`` (0-based), cycling through ``OBJECT_COLORS``."""
    if index < 0:
        raise InputError(f"object index must be >= 0, got {index!r}")
    return OBJECT_COLORS[index % len(OBJECT_COLORS)]


def to_hex(color: tuple[int, int, int]) -> str:
    """``(r, g, b)`` -> ``"#rrggbb"``."""
    return "#{:02x}{:02x}{:02x}".format(*color)
