"""Media I/O: images in and out, PNG sequences, GIF and H.264 MP4, all written atomically.

Frames are ``H x W x 3`` ``uint8`` RGB. Encoders run the ffmpeg binary that ships in the ``imageio-ffmpeg`` wheel
as an argument list (never a shell string); every output is written to a temporary name and renamed on success, so a
failure leaves no half-written file.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from interp.core.images import check_frame
from interp.errors import InputError
from interp.io.files import atomic_path
from interp.limits import check_image_size


def image_size(source: Path | str | BinaryIO) -> tuple[int, int]:
    """``(width, height)`` of an image read from its header alone (no pixel is decoded); ``InputError`` when the
    file is not an image Pillow recognises."""
    try:
        with Image.open(source) as image:
            return image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InputError(f"not an image or the file is corrupt ({exc})") from exc


def read_image(path: Path | str) -> np.ndarray:
    """Read an image file as ``H x W x 3`` uint8 RGB (EXIF orientation applied, alpha dropped)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no such image file: {path}")
    try:
        with Image.open(path) as image:
            image = ImageOps.exif_transpose(image)
            if image.mode in ("I;16", "I;16B", "I", "F"):
                array = np.asarray(image, dtype=np.float32)  # float32: 4 bytes a pixel where float64 took 8
                array *= 255.0 / max(float(array.max()), 1.0)
                image = Image.fromarray(np.clip(array, 0, 255).astype(np.uint8))
            return np.asarray(image.convert("RGB"), dtype=np.uint8).copy()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InputError(f"cannot read image {path}: not an image or the file is corrupt ({exc})") from exc


def uploaded_image_size(path: Path | str, what: str) -> tuple[int, int]:
    """``(width, height)`` of an image that arrived over the web, from its header, within the server's bounds
    (``interp.limits.check_image_size``); errors are ``read_uploaded_image``'s."""
    path = Path(path)
    try:
        width, height = image_size(path)
    except InputError as exc:
        raise _unreadable(path, what, exc) from None
    check_image_size(width, height, what)
    return width, height


def read_uploaded_image(path: Path | str, what: str) -> np.ndarray:
    """Read an image that arrived over the web, as ``read_image`` does; errors name ``what`` (``"frame 1"``).

    Its size is read from its header first and bounded (``interp.limits.check_image_size``) before any pixel is
    decoded. The message never shows the server's temporary path: ``"frame 1 is not a readable image: the file is
    empty"``.
    """
    path = Path(path)
    uploaded_image_size(path, what)
    try:
        return read_image(path)
    except InputError as exc:
        raise _unreadable(path, what, exc) from None


def _unreadable(path: Path, what: str, exc: InputError) -> InputError:
    """The plain one-line error for an upload that cannot be read (never its temporary path)."""
    cause = exc.__cause__
    if not path.is_file() or path.stat().st_size == 0:
        reason = "the file is empty" if path.is_file() else "nothing was uploaded"
    elif isinstance(cause, UnidentifiedImageError) or cause is None:
        reason = "it is not an image in a format this app reads (PNG, JPEG, WebP, BMP, TIFF, GIF)"
    else:
        reason = str(cause).replace(str(path), "the file").replace(path.name, "the file")
    return InputError(f"{what} is not a readable image: {reason}")


def write_image(path: Path | str, frame: np.ndarray) -> Path:
    """Write one frame (format from the suffix), atomically."""
    path = Path(path)
    with atomic_path(path) as tmp:
        Image.fromarray(check_frame(frame)).save(tmp, format=Image.registered_extensions().get(path.suffix.lower()))
    return path
