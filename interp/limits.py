"""Bounds on what one request may ask for, in one place: the page, its API, project files and the encoders use them.

A shared server has to bound the work one request can start; the CLI shares the bounds that keep outputs sane (frame
rates, points per object) and leaves the size of a job to the person running it.
"""

from __future__ import annotations

from interp.errors import InputError

#: Frame rates of the GIFs and MP4s written (at 0.001 fps, three frames made a 50-minute MP4).
MIN_FPS = 1.0
MAX_FPS = 240.0
#: GIF delays are whole hundredths of a second and browsers play delays under 2/100 s at 10/100 s, so a GIF asked
#: for a faster rate is written at this one (frames dropped evenly; the MP4 keeps every frame).
MAX_GIF_FPS = 50.0
#: Objects in a project file, and in the page's object list.
MAX_PROJECT_OBJECTS = 32
MAX_APP_OBJECTS = 12
#: Clicks (``points``) per object, in the page and in project files: each one is work for the segmenter (the
#: fallback took 1.6 s for 100 points on one 448x256 object, 2-core CPU).
MAX_POINTS = 32
#: Mask-brush dabs per object and their largest radius (pixels), in the page and in project files.
MAX_BRUSH_DABS = 256
MAX_BRUSH_RADIUS = 200.0
#: Mask edits one session can undo (each click or box edit keeps the mask it replaced).
MAX_UNDO_EDITS = 64
#: Upper bound on frames in one output sequence (about 10 minutes at 30 fps is far beyond any image pair).
MAX_SEQUENCE_FRAMES = 20_000
#: Iterations of the [R] models' reference-based estimation (each one is a network pass per frame).
MAX_ITERS = 16
#: Largest file one upload may bring, in the page or through the API (frames, project files): a 3840-px PNG frame
#: is at most about 45 MB; without a bound a stranger's upload could fill the server's disk or, for a project file,
#: its memory.
MAX_UPLOAD_BYTES = 64 * 1024 * 1024
#: Frames of one render in the page or through the API.
MAX_APP_FRAMES = 121
#: The default bound on one render in the page or the API, frames x pixels per frame, in megapixels: 121 frames at
#: the page's largest working size (1280 x 1280) are 198. ``python app.py --max-job-megapixels`` sets another.
DEFAULT_MAX_JOB_MEGAPIXELS = 200.0


def check_job_size(num_frames: int, height: int, width: int, max_megapixels: float) -> None:
    """Refuse a render of ``num_frames`` frames of ``width x height`` beyond ``max_megapixels`` (frames x pixels)."""
    megapixels = num_frames * height * width / 1e6
    if megapixels > max_megapixels:
        raise InputError(
            f"{num_frames} frames of {width}x{height} are {megapixels:.0f} megapixels, more than this server renders "
            f"in one job ({max_megapixels:g}); ask for fewer frames or a smaller size"
        )
