"""A project's pixels: its frames and one mask per object, read, segmented and painted one step at a time.

Two rules. The command line's (``working_side=None``): frames at their own size, read from files next to the project
or from data URIs, unbounded (the person running it sizes the job). The app's (``working_side=MAX_WORKING_SIDE``,
for projects that arrive over the web): every image's size is read from its header and bounded before a pixel is
decoded, frames are scaled to the working size as soon as they are decoded, and masks, clicks, boxes and brush dabs
are loaded at that size; ``project_work`` estimates the whole job from the headers alone, before it starts.

``iter_load_inputs`` yields after each step (a frame decoded, an object segmented, a few brush dabs painted), so a
caller that stops iterating (a cancelled request) stops the work within one step.
"""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Generator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from interp.core.images import resize, resize_mask
from interp.core.progress import drain
from interp.errors import InputError
from interp.io.images import read_image, read_uploaded_image, uploaded_image_size
from interp.limits import JobWork, check_image_size, working_size
from interp.project.schema import (
    DATA_URI_PREFIX,
    Box,
    Click,
    Dab,
    ObjectSpec,
    Project,
    SegmentFn,
    field_error,
    file_path_refusal,
    paint_brush,
    prompt_clicks,
)

#: Pillow modes of 8-bit images: a mask in any other mode (16-bit, 32-bit, float) is refused before it is decoded.
EIGHT_BIT_MODES = frozenset({"1", "L", "LA", "La", "P", "PA", "RGB", "RGBA", "RGBa", "RGBX"})
#: Brush dabs painted between two steps of ``iter_load_inputs``.
DABS_PER_STEP = 16

#: A frame given to ``load_inputs``: an ``H x W x 3`` uint8 array, or an uploaded file (read with its size bounded).
FrameSource = np.ndarray | Path


@dataclass(frozen=True)
class ProjectInputs:
    """A project's pixels: both frames (``H x W x 3`` uint8 RGB) and one ``H x W`` bool mask per object."""

    img0: np.ndarray
    img1: np.ndarray
    masks: tuple[np.ndarray, ...]


def _embedded_png(reference: str, where: str) -> Image.Image:
    """The PNG of a ``data:image/png;base64,…`` URI, opened (its header read, no pixel decoded)."""
    if not reference.startswith(DATA_URI_PREFIX):
        raise field_error(where, "data URIs must be data:image/png;base64,…")
    try:
        image = Image.open(io.BytesIO(base64.b64decode(reference[len(DATA_URI_PREFIX) :], validate=True)))
    except (binascii.Error, UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise field_error(where, f"the embedded PNG cannot be read ({exc})") from None
    if image.format != "PNG":
        image.close()
        raise field_error(where, f"the data URI says image/png but holds {image.format or 'another format'} data")
    return image


def _file(reference: str, base_dir: Path | None, where: str) -> Path:
    """The file a reference names (relative ones resolve against ``base_dir``; ``None``: no file may be read)."""
    if base_dir is None:
        raise field_error(where, file_path_refusal(reference))
    path = Path(reference)
    path = path if path.is_absolute() else base_dir / path
    if not path.is_file():
        raise field_error(where, f"file not found: {path}")
    return path


def reference_size(reference: str, base_dir: Path | None, where: str) -> tuple[int, int]:
    """``(width, height)`` of a referenced image, from its header alone."""
    if reference.startswith("data:"):
        with _embedded_png(reference, where) as image:
            return image.size
    try:
        with Image.open(_file(reference, base_dir, where)) as image:
            return image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise field_error(where, f"cannot read image: not an image or the file is corrupt ({exc})") from None


def _frame_size(source: FrameSource | str, project: Project, where: str) -> tuple[int, int]:
    if isinstance(source, np.ndarray):
        return source.shape[1], source.shape[0]
    if isinstance(source, Path):
        return uploaded_image_size(source, where)
    return reference_size(source, project.base_dir, where)


def frame_sizes(
    project: Project, frames: tuple[FrameSource, FrameSource] | None = None, bounded: bool = False
) -> tuple[int, int]:
    """``(width, height)`` of the project's frames (``frames`` when given, else its references), read from headers;
    both frames must have it. ``bounded``: each frame also within ``interp.limits.check_image_size`` (uploaded
    files always are)."""
    sources = frames or (project.frame0, project.frame1)
    sizes = []
    for index, source in enumerate(sources):
        what = f"frame {index}" if frames is not None else f"frame{index}"
        size = _frame_size(source, project, what)
        if bounded:
            check_image_size(*size, what)
        sizes.append(size)
    if sizes[0] != sizes[1]:
        (w0, h0), (w1, h1) = sizes
        raise field_error("frame1", f"is {w1}x{h1}, frame0 is {w0}x{h0}")
    return sizes[0]


def project_work(project: Project, size: tuple[int, int], working_side: int, num_frames: int = 0) -> JobWork:
    """The work of loading the project at ``working_side`` from frames of ``size`` (``(width, height)``) and of
    rendering ``num_frames`` frames (0: loading only), in megapixels (``interp.limits.JobWork``).

    Each frame and embedded mask is decoded at ``size``; each object costs one working-size frame, and one more per
    click when it is segmented (the offline segmenter passes over the frame per click); each dab paints a square of
    its diameter (at the working size).
    """
    width, height = size
    work_h, work_w = working_size(height, width, working_side)
    scale, frame = work_w / width, work_h * work_w
    masks = sum(1 if obj.mask is not None else 1 + len(obj.points) for obj in project.objects)
    dabs = sum(min((2 * dab.radius * scale + 1) ** 2, frame) for obj in project.objects for dab in obj.brush)
    return JobWork(
        render=num_frames * frame / 1e6,
        decode=(2 + sum(obj.mask is not None for obj in project.objects)) * height * width / 1e6,
        masks=masks * frame / 1e6,
        brush=dabs / 1e6,
    )


def _read_frame(source: FrameSource | str, project: Project, where: str) -> np.ndarray:
    """A frame as ``H x W x 3`` uint8 RGB: an array as it is, an upload read bounded, a reference read."""
    if isinstance(source, np.ndarray):
        return source
    if isinstance(source, Path):
        return read_uploaded_image(source, where)
    if source.startswith("data:"):
        with _embedded_png(source, where) as image:
            return np.asarray(image.convert("RGB"))
    try:
        return read_image(_file(source, project.base_dir, where))
    except InputError as exc:
        raise field_error(where, str(exc)) from None


def _read_mask(reference: str, base_dir: Path | None, where: str, size: tuple[int, int]) -> np.ndarray:
    """A mask as ``H x W`` bool (non-zero = object); it must be ``size`` (``(width, height)``), which an embedded
    PNG's header is checked against before it is decoded (and an embedded one must be 8-bit)."""
    if reference.startswith("data:"):
        with _embedded_png(reference, where) as image:
            if image.mode not in EIGHT_BIT_MODES:
                raise field_error(where, f"must be an 8-bit PNG, got mode {image.mode}")
            if image.size != size:
                raise field_error(where, f"is {image.size[0]}x{image.size[1]}, frame0 is {size[0]}x{size[1]}")
            try:
                return np.asarray(image.convert("L")) > 0
            except (OSError, ValueError) as exc:
                raise field_error(where, f"the embedded PNG cannot be read ({exc})") from None
    try:
        mask = read_image(_file(reference, base_dir, where)).max(axis=2) > 0
    except InputError as exc:
        raise field_error(where, str(exc)) from None
    if (mask.shape[1], mask.shape[0]) != size:
        raise field_error(where, f"is {mask.shape[1]}x{mask.shape[0]}, frame0 is {size[0]}x{size[1]}")
    return mask


def _check_prompts(obj: ObjectSpec, where: str, width: int, height: int) -> None:
    """Clicks and the box of an object inside the ``width x height`` frame."""
    for k, click in enumerate(obj.points):
        if not (0 <= click.x < width and 0 <= click.y < height):
            outside = f"({click.x:g}, {click.y:g}) is outside the {width}x{height} frame"
            raise field_error(f"{where}.points[{k}]", outside)
    box = obj.box
    if box is not None and not (box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width and box.y1 <= height):
        outside = f"{[box.x0, box.y0, box.x1, box.y1]} reaches outside the {width}x{height} frame"
        raise field_error(f"{where}.box", outside)


def scaled_object(obj: ObjectSpec, scale_x: float, scale_y: float) -> ObjectSpec:
    """``obj`` with its clicks, box and brush dabs in a frame scaled by ``scale_x``, ``scale_y`` (radii by x)."""
    if scale_x == scale_y == 1.0:
        return obj
    box = obj.box and Box(obj.box.x0 * scale_x, obj.box.y0 * scale_y, obj.box.x1 * scale_x, obj.box.y1 * scale_y)
    return replace(
        obj,
        points=tuple(Click(c.x * scale_x, c.y * scale_y, c.positive) for c in obj.points),
        box=box,
        brush=tuple(Dab(d.x * scale_x, d.y * scale_y, d.radius * scale_x, d.add) for d in obj.brush),
    )


def _painted(
    mask: np.ndarray | None, brush: Sequence[Dab], shape: tuple[int, int], where: str
) -> Generator[str, None, np.ndarray]:
    """``paint_brush`` a few dabs at a time, yielding between them."""
    for start in range(0, len(brush), DABS_PER_STEP):
        mask = paint_brush(mask, brush[start : start + DABS_PER_STEP], shape)
        yield f"{where}.brush[{start}]"
    return np.zeros(shape, bool) if mask is None else mask


def object_mask(
    obj: ObjectSpec,
    where: str,
    base_dir: Path | None,
    size: tuple[int, int],
    images: tuple[np.ndarray, np.ndarray],
    segment: SegmentFn | None,
) -> Generator[str, None, np.ndarray]:
    """One object's mask on ``images[0]`` (the frame it is given on; ``images[1]`` is the next one, the motion cue):
    its mask file read, or its clicks and box segmented, then its brush painted; yields each step's name.

    ``size``: ``(width, height)`` of the frames the project's mask and clicks refer to; the mask is made at the
    size of ``images`` (``h x w`` bool). ``ProjectError`` names the field of a bad file, a click outside the frame or
    an empty mask.
    """
    width, height = size
    work_h, work_w = images[0].shape[:2]
    if obj.mask is not None:
        mask = resize_mask(_read_mask(obj.mask, base_dir, f"{where}.mask", size), work_h, work_w)
    else:
        _check_prompts(obj, where, width, height)
        obj = scaled_object(obj, work_w / width, work_h / height)
        mask = None
        if any(p.positive for p in obj.points) or obj.box is not None:
            if segment is None:
                raise field_error(where, "has points but no segmenter is available to turn them into a mask")
            mask = np.asarray(segment(images[0], images[1], prompt_clicks(obj.points, obj.box), obj.box)) > 0
            yield f"{where}.points"
        mask = yield from _painted(mask, obj.brush, (work_h, work_w), where)
    if not mask.any():
        raise field_error(where, "its mask is empty")
    return mask


def iter_load_inputs(
    project: Project,
    segment: SegmentFn | None = None,
    frames: tuple[FrameSource, FrameSource] | None = None,
    working_side: int | None = None,
) -> Generator[str, None, ProjectInputs]:
    """Read the frames (``frames`` when given, else the project's references) and every object's mask (reading it,
    or segmenting its clicks and box, then painting its brush), yielding the name of each step done; the
    generator's return value is the ``ProjectInputs``.

    ``working_side``: the app's rule (module docstring): frames bounded by their headers and scaled down to it, the
    masks and everything else made at that size. ``ProjectError`` names the field of a missing or unreadable file, a
    size mismatch, a click outside the frame.
    """
    width, height = frame_sizes(project, frames, bounded=working_side is not None)
    work_h, work_w = (height, width) if working_side is None else working_size(height, width, working_side)
    images = []
    for index, source in enumerate(frames or (project.frame0, project.frame1)):
        image = _read_frame(source, project, f"frame {index}" if frames is not None else f"frame{index}")
        images.append(resize(image, work_h, work_w))
        del image
        yield f"frame{index}"
    img0, img1 = images
    masks = []
    for index, obj in enumerate(project.objects):
        where = f"objects[{index}]"
        mask = yield from object_mask(obj, where, project.base_dir, (width, height), (img0, img1), segment)
        masks.append(mask)
        yield where
    return ProjectInputs(img0, img1, tuple(masks))


def load_inputs(
    project: Project,
    segment: SegmentFn | None = None,
    frames: tuple[FrameSource, FrameSource] | None = None,
    working_side: int | None = None,
) -> ProjectInputs:
    """``iter_load_inputs`` run to the end."""
    return drain(iter_load_inputs(project, segment, frames, working_side))
