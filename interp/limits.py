"""Bounds on what one request may ask for, in one place: the page, its API, project files and the encoders use them.

A shared server has to bound the work one request can start; the CLI shares the bounds that keep outputs sane (frame
rates, points per object) and leaves the size of a job to the person running it.
"""

from __future__ import annotations

from dataclasses import dataclass

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
#: Largest request body other than an upload (a page event, an API call with its project string, embedded frames
#: included: a project the page saves at 1280 px is at most about 10 MB).
MAX_REQUEST_BYTES = 32 * 1024 * 1024
#: Frames of one render in the page or through the API.
MAX_APP_FRAMES = 121
#: The page's working size (longest side, pixels): larger frames are scaled down for clicking, previews and API
#: renders, and projects sent to the page or the API are loaded (masks decoded, clicks segmented, dabs painted) at it.
MAX_WORKING_SIDE = 1280
#: Frames larger than this (longest side) are kept at this size for the page's "original size" renders (a
#: 12000x12000 pair held 0.9 GB per session; 3840 px is 4K UHD).
MAX_ORIGINAL_SIDE = 3840
#: Each side of a frame the page or the API takes is at least this many pixels.
MIN_FRAME_SIDE = 16
#: Largest frame (or mask) the page or the API decodes, in pixels, read from the image's header before any pixel
#: is decoded: 40 MP is a 7680x5200 photo (8K UHD is 33 MP). A 13000x13000 PNG of 360 KB decoded to 0.5-1.4 GB.
MAX_FRAME_PIXELS = 40_000_000
#: Requests (page events, API calls) one client may have waiting or running in the server's queue at a time: per
#: session (a page tab, an API client) and per network address; further ones are refused at once (``ui.fairness``).
#: A page tab has 2-4 at a time (an edit, its still preview, the preview that plays).
MAX_QUEUED_PER_SESSION = 6
MAX_QUEUED_PER_ADDRESS = 16
#: Page sessions the server keeps, and the frames and masks they may hold in all: beyond either, the sessions idle
#: longest (none with a request waiting or running) are released first (``ui.lifecycle.release_idle_sessions``).
#: A session with 4000x4000 frames holds about 100 MB (its originals kept at 3840 px).
MAX_LIVE_SESSIONS = 40
MAX_SESSIONS_BYTES = 1024 * 1024 * 1024
#: The clip page (``ui.clip_page``): a clip is refused from its header, before any frame is decoded, when it lasts
#: longer than ``MAX_CLIP_SECONDS``, has more than ``MAX_CLIP_FRAMES`` frames or more than ``MAX_CLIP_PIXELS`` pixels
#: per frame (a 4K UHD frame is 8.3 MP); a file whose header lies is stopped while it decodes at ``MAX_CLIP_FRAMES``.
#: The page works on the clip at ``CLIP_WORKING_SIDE`` (longest side: frames kept on disk, masks, previews,
#: renders), holds at most ``MAX_CLIP_OBJECTS`` objects and renders at most ``MAX_CLIP_OUTPUT_FRAMES`` frames.
MAX_CLIP_SECONDS = 20.0
MAX_CLIP_FRAMES = 600
MAX_CLIP_PIXELS = 3840 * 2160
CLIP_WORKING_SIDE = 640
MAX_CLIP_OBJECTS = 4
MAX_CLIP_OUTPUT_FRAMES = 240
#: The default bound on one job in the page or the API, in megapixels of work (``JobWork``): 121 frames rendered
#: at the working size (1280 x 1280) are 198, their 12 objects' masks at that size 20 more.
#: ``python app.py --max-job-megapixels`` sets another.
DEFAULT_MAX_JOB_MEGAPIXELS = 250.0


def working_size(height: int, width: int, limit: int = MAX_WORKING_SIDE) -> tuple[int, int]:
    """(height, width) scaled so the longest side is at most ``limit`` (aspect kept, at least 1 px)."""
    scale = min(1.0, limit / max(height, width))
    return max(1, round(height * scale)), max(1, round(width * scale))


def check_frame_count(num_frames: int) -> None:
    """Refuse a render of fewer than 2 or more than ``MAX_APP_FRAMES`` frames (page and API alike)."""
    if not 2 <= num_frames <= MAX_APP_FRAMES:
        raise InputError(f"frames must be between 2 and {MAX_APP_FRAMES}, got {num_frames!r}")


def check_object_count(count: int) -> None:
    """Refuse more objects than the page holds (``MAX_APP_OBJECTS``): a project loaded or sent to the API."""
    if count > MAX_APP_OBJECTS:
        raise InputError(f"the project has {count} objects; the app holds at most {MAX_APP_OBJECTS}")


def check_min_side(width: int, height: int, what: str) -> None:
    """Refuse a frame with a side under ``MIN_FRAME_SIDE``; ``what`` names it (``"frame 0"``)."""
    if min(width, height) < MIN_FRAME_SIDE:
        raise InputError(f"{what} is {width}x{height}; frames must be at least {MIN_FRAME_SIDE}x{MIN_FRAME_SIDE}")


def check_image_size(width: int, height: int, what: str, max_pixels: int = MAX_FRAME_PIXELS) -> None:
    """Refuse an image (read from its header, before decoding) with a side under ``MIN_FRAME_SIDE`` or more than
    ``max_pixels`` pixels; ``what`` names it (``"frame 0"``)."""
    check_min_side(width, height, what)
    if width * height > max_pixels:
        raise InputError(
            f"{what} is {width}x{height} ({width * height / 1e6:.0f} megapixels); this server takes images of at "
            f"most {max_pixels / 1e6:g} megapixels"
        )


@dataclass(frozen=True)
class JobWork:
    """The work of one job, estimated before it starts, in pixels touched (each part in megapixels).

    ``render``: frames x pixels per frame; ``decode``: the pixels of every image decoded (frames, masks);
    ``masks``: one working-size frame per object segmented or painted; ``brush``: the squares the dabs paint.
    """

    render: float = 0.0
    decode: float = 0.0
    masks: float = 0.0
    brush: float = 0.0

    @property
    def megapixels(self) -> float:
        return self.render + self.decode + self.masks + self.brush

    def describe(self) -> str:
        """The parts that are not zero, as ``"rendering 198, decoding 4, ..."`` (megapixels)."""
        parts = (("rendering", self.render), ("decoding", self.decode), ("masks", self.masks), ("brush", self.brush))
        return ", ".join(f"{name} {value:.3g}" for name, value in parts if value)


def render_work(num_frames: int, height: int, width: int) -> JobWork:
    """The work of rendering ``num_frames`` frames of ``width x height``."""
    return JobWork(render=num_frames * height * width / 1e6)


def check_job_work(work: JobWork, max_megapixels: float) -> None:
    """Refuse a job whose estimated work is more than ``max_megapixels``, quoting the figure and its parts."""
    if work.megapixels > max_megapixels:
        raise InputError(
            f"this job is {work.megapixels:.3g} megapixels of work ({work.describe()}), more than this server does "
            f"in one job ({max_megapixels:g}); ask for fewer frames, a smaller size, fewer objects or brush dabs"
        )


def check_clip_header(width: int, height: int, duration: float, frame_count: int, what: str = "the clip") -> None:
    """Refuse a clip for the clip page from its header (before decoding): a side under ``MIN_FRAME_SIDE``, more than
    ``MAX_CLIP_PIXELS`` per frame, longer than ``MAX_CLIP_SECONDS`` or more than ``MAX_CLIP_FRAMES`` frames
    (``duration`` 0 and ``frame_count`` 0: unknown, bounded while decoding by ``check_clip_frames``)."""
    check_min_side(width, height, what)
    if width * height > MAX_CLIP_PIXELS:
        raise InputError(
            f"{what} is {width}x{height} ({width * height / 1e6:.1f} megapixels per frame); the clip page takes at "
            f"most {MAX_CLIP_PIXELS / 1e6:.1f} megapixels per frame (3840x2160)"
        )
    if duration > MAX_CLIP_SECONDS:
        raise InputError(
            f"{what} lasts {duration:.1f} s; the clip page takes clips of at most {MAX_CLIP_SECONDS:g} s "
            "(cut it shorter first)"
        )
    check_clip_frames(frame_count, what)


def check_clip_frames(count: int, what: str = "the clip") -> None:
    """Refuse a clip of more than ``MAX_CLIP_FRAMES`` frames (from its header, or counted while it decodes)."""
    if count > MAX_CLIP_FRAMES:
        raise InputError(
            f"{what} has more than {MAX_CLIP_FRAMES} frames; the clip page takes at most {MAX_CLIP_FRAMES} "
            f"(about {MAX_CLIP_SECONDS:g} s at 30 fps)"
        )
