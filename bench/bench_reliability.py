"""Benchmark: the app as a public service, attacked on 127.0.0.1 only, as a stranger would, inside every bound.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 .venv/bin/python bench/bench_reliability.py [--sessions 50] [--timeout 900]
        [--only WORDS] [--log FILE]

Starts ``app.py`` in a subprocess on a free local port and, through ``gradio_client`` and raw HTTP (the page's own
events are joined as the browser joins them), runs each attack (issue 22) while it samples the server's memory:

* refusals: an absolute and a relative file path in a project, a GIF mask labelled image/png, 10000 points, fps
  0.001, 20000 frames, empty and truncated uploads, 100000-deep JSON, 13 and 32 objects, 1x4000 and 1x1 frames,
  a 5000-digit integer, a keyframe given as an object: each a message naming the field, never "internal error" nor
  a server folder; and ``/monitoring`` refused;
* decoding before bounding: 16-bit and 8-bit 13000x13000 PNG frames (real PNGs, under 1 MB), eight 13000x13000
  masks as data URIs (a 1.8 MB request), a 40 MB project string;
* cancel: a 4000x3000, 12-object, 256-dab project cancelled while it loads, in the render's first step and while
  frames are written: how long the cancel call and the server's CPU go on, the RSS afterwards;
* flood: one API client asks for 40 renders at once while a second user previews in the page: what each gets;
* abandoned sessions: ``--sessions`` clients load a 4000x4000 pair through the page's upload event and never come
  back: how many sessions the server still holds, its RSS;
* SIGTERM during a render: the exit status, an abort, the files left.

Prints a Markdown table (held or not, the peak RSS above the server's idle RSS during the attack, its time, its
figures; goals: 1.5 GB above idle for an attack of one request at a time, 3 GB for the flood, the abandoned sessions
and the whole run), then the unhandled errors ("internal
error" answers), the tracebacks in the server's output and the whole run's peak. ``--only``: the attacks whose
names hold one of these comma-separated words. Bounded by ``--timeout``.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np
from gradio_client import Client, handle_file
from PIL import Image

from interp.app.session import LETTERBOX
from interp.app.workspace import ROOT_PREFIX
from interp.io.images import write_image
from interp.limits import MAX_LIVE_SESSIONS, MAX_QUEUED_PER_SESSION
from interp.models.paths import PROJECT_ROOT
from ui.panels import AUTO

DEMO = PROJECT_ROOT / "assets" / "demo"
INTERNAL = "internal error"
#: The issue's goals: RSS above the server's idle RSS for any single request (the attacks made of one request at a
#: time), and over the whole run (the flood and the abandoned sessions, many requests at once or kept), MiB.
ATTACK_GOAL_MIB = 1536
RUN_GOAL_MIB = 3072
#: CPU seconds a cancelled call may still use: the issue asks for a second of work; one frame of the cancel attack's
#: job (1280x960, 12 objects) is 1.4-1.6 s of CPU on one thread of this project's machine.
CANCEL_GOAL_CPU_S = 2.0


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mib(pid: int, field: str = "VmRSS") -> float:
    """A process's resident memory (``VmRSS``) or its peak (``VmHWM``), MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def peak_rss(pid: int) -> Iterator[list[float]]:
    """Sample the server's RSS every 50 ms while the block runs; the list holds the peak (MiB) afterwards."""
    peak, done = [rss_mib(pid)], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_mib(pid))
            time.sleep(0.05)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        done.set()
        thread.join()


def temp_files(pid: int) -> int:
    """Files under the server's temporary folders."""
    roots = Path(tempfile.gettempdir()).glob(f"{ROOT_PREFIX}{pid}-*")
    return sum(1 for root in roots for path in root.rglob("*") if path.is_file())


def start_server(port: int, timeout: float, log: Path) -> subprocess.Popen:
    """``python app.py`` on 127.0.0.1:port, once it answers; its output goes to ``log`` (a file, not a pipe: a
    pipe nobody reads would stop the server once full)."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(PROJECT_ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/config", timeout=5).raise_for_status()
            return process
        except httpx.HTTPError:
            time.sleep(1)
    process.kill()
    raise SystemExit("the app did not start")


def png(width: int, height: int, bit_depth: int = 8, colour_type: int = 0) -> bytes:
    """A real PNG of zeros (every row encoded), written row by row: 13000x13000 in a few hundred KB."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    channels = {0: 1, 2: 3}[colour_type]
    row = bytes(1 + width * channels * bit_depth // 8)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def data_uri(data: bytes) -> str:
    """``data`` as a ``data:image/png;base64,`` URI (whatever it holds), as projects embed masks."""
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def project(**fields: object) -> str:
    """A project's JSON text (``fields`` added to the least a valid one needs: no objects, the default frames)."""
    return json.dumps({"format": "interp-project", "version": 1, "frame0": "a", "frame1": "b", **fields})


class Server:
    """The app under attack: its address, process, idle RSS and the unhandled errors it answered."""

    def __init__(self, url: str, process: subprocess.Popen) -> None:
        self.url, self.process, self.pid = url, process, process.pid
        self.idle = rss_mib(self.pid)
        self.unhandled = 0
        self.fns = httpx.get(url + "config", timeout=60).json()["dependencies"]

    def fn_index(self, api_name: str) -> int:
        """The index of the event named ``api_name`` (the page's private events have names too)."""
        return next(i for i, fn in enumerate(self.fns) if fn.get("api_name") == api_name)

    def render(self, frame0: Path | str, frame1: Path | str, text: str, client: Client | None = None) -> str:
        """One ``/render_project`` call: ``"served"`` or the refusal's message."""
        client = client or Client(self.url, verbose=False)
        try:
            client.predict(handle_file(str(frame0)), handle_file(str(frame1)), text, api_name="/render_project")
            return "served"
        except Exception as exc:  # gradio_client raises AppError or plain Exception
            message = str(exc)
            self.unhandled += INTERNAL in message
            return message

    def upload(self, path: Path) -> dict:
        """Upload a file as the page does; its ``FileData``."""
        with path.open("rb") as file:
            (stored,) = httpx.post(self.url + "gradio_api/upload", files={"files": file}, timeout=120).json()
        return {"path": stored, "meta": {"_type": "gradio.FileData"}}

    def page_event(self, api_name: str, data: list, session: str, timeout: float = 120) -> tuple[bool, object]:
        """Join one of the page's events as the browser does and read its answer from the session's stream."""
        body = {"data": data, "fn_index": self.fn_index(api_name), "session_hash": session, "event_data": None}
        joined = httpx.post(self.url + "gradio_api/queue/join", json=body, timeout=timeout)
        if joined.status_code != 200:
            return False, f"HTTP {joined.status_code}"
        event = joined.json()["event_id"]
        stream = f"{self.url}gradio_api/queue/data?session_hash={session}"
        with httpx.stream("GET", stream, timeout=timeout) as answer:
            for line in answer.iter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                if message.get("event_id") == event and message.get("msg") == "process_completed":
                    self.unhandled += INTERNAL in json.dumps(message.get("output", {}))
                    return bool(message.get("success")), message.get("output")
        return False, "stream ended"


Attack = Callable[[Server, Path], tuple[bool, str]]


def image_bytes(image: np.ndarray, kind: str) -> bytes:
    """``image`` encoded as ``kind`` (``"GIF"``, ``"PNG"``, ...) by Pillow."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format=kind)
    return buffer.getvalue()


def refusals(server: Server, folder: Path) -> tuple[bool, str]:
    """Bad requests inside the transport's bounds: each refused with a message naming what is wrong (never
    "internal error", never the server's folders)."""
    frame0, frame1 = DEMO / "frame0.png", DEMO / "frame1.png"
    (folder / "empty.png").write_bytes(b"")
    (folder / "cut.png").write_bytes(frame1.read_bytes()[:500])
    thin = write_image(folder / "thin.png", np.zeros((1, 4000, 3), np.uint8))
    dot = write_image(folder / "dot.png", np.zeros((1, 1, 3), np.uint8))
    gif = data_uri(image_bytes(np.full((256, 448), 255, np.uint8), "GIF"))  # the demo frames are 448x256
    clicked = {"name": "o", "points": [[5, 5, 1]], "curve": [[0, 0], [1, 1]]}
    cases = [
        (frame0, frame1, project(objects=[{**clicked, "mask": "/etc/hostname"}]), "file path"),
        (frame0, frame1, project(objects=[{**clicked, "mask": "masks/o.png"}]), "file path"),
        (frame0, frame1, project(objects=[{**clicked, "mask": gif}]), "holds GIF data"),
        (frame0, frame1, project(objects=[{**clicked, "points": [[5, 5, 1]] * 10_000}]), "at most"),
        (frame0, frame1, project(fps=0.001), "fps"),
        (frame0, frame1, project(num_frames=20_000), "frames"),
        (frame0, folder / "empty.png", project(), "frame 1"),
        (frame0, folder / "cut.png", project(), "frame 1"),
        (frame0, frame1, "[" * 100_000 + "]" * 100_000, "JSON"),
        (frame0, frame1, project(objects=[clicked] * 13), "at most 12"),
        (frame0, frame1, project(objects=[clicked] * 32), "at most 12"),
        (thin, thin, project(), "at least 16x16"),
        (dot, dot, project(), "at least 16x16"),
        (frame0, frame1, project(num_frames=1).replace('"num_frames": 1', '"num_frames": ' + "9" * 5000), "integer"),
        (frame0, frame1, project(background={"curve": [{"t": 0, "d": 0}, [1, 1]]}), "keyframe 0"),
    ]
    answers = [server.render(a, b, text) for a, b, text, _ in cases]
    folders = (str(PROJECT_ROOT), os.getcwd(), tempfile.gettempdir())
    held = [
        expect.lower() in answer.lower() and not any(name in answer for name in folders)
        for (*_, expect), answer in zip(cases, answers, strict=True)
    ]
    monitoring = [httpx.get(server.url + page, timeout=30).status_code for page in ("monitoring", "monitoring/summary")]
    return all(held) and all(code in (403, 404) for code in monitoring), (
        f"{sum(held)}/{len(cases)} refused with their message, no server folder named; /monitoring and its "
        f"summary: HTTP {' and '.join(map(str, monitoring))}"
    )


def huge_frames(server: Server, folder: Path) -> tuple[bool, str]:
    """13000x13000 frames, 16-bit and 8-bit (the server decoded them to 6.0 and 3.1 GB before)."""
    answers, sizes = [], []
    for depth in (16, 8):
        path = folder / f"huge{depth}.png"
        path.write_bytes(png(13_000, 13_000, depth, 2))
        sizes.append(str(path.stat().st_size // 1024))
        answers.append(server.render(path, path, project()))
    held = all("this server takes images of at most" in answer for answer in answers)
    return held, f"PNGs of {' and '.join(sizes)} KB refused from their headers"


def huge_masks(server: Server, folder: Path) -> tuple[bool, str]:
    """Eight 13000x13000 masks as data URIs in one request (5.8 GB and 52 s before)."""
    mask = data_uri(png(13_000, 13_000))
    objects = [{"name": f"o{i}", "mask": mask, "curve": [[0, 0], [1, 1]]} for i in range(8)]
    text = project(objects=objects)
    answer = server.render(DEMO / "frame0.png", DEMO / "frame1.png", text)
    return "is 13000x13000, frame0 is" in answer, f"{len(text) / 1e6:.1f} MB request refused before decoding"


def big_string(server: Server, folder: Path) -> tuple[bool, str]:
    """A 40 MB project string (200 MB were accepted before)."""
    body = {"data": [None, None, " " * 40_000_000], "fn_index": server.fn_index("render_project"), "session_hash": "x"}
    answer = httpx.post(server.url + "gradio_api/queue/join", json=body, timeout=120)
    return answer.status_code == 413, f"HTTP {answer.status_code}"


def many_dabs(folder: Path) -> tuple[Path, Path, str]:
    """Two smooth 4000x3000 frames and 12 clicked objects of 256 dabs of radius 200 (within the job bound)."""
    ramp = np.linspace(0, 255, 4000, dtype=np.float32)[None, :, None] * np.ones((3000, 1, 3), np.float32)
    frame0 = write_image(folder / "big0.png", ramp.astype(np.uint8))
    frame1 = write_image(folder / "big1.png", np.roll(ramp, 40, axis=1).astype(np.uint8))
    dabs = [[200 + 13 * k, 300 + 7 * k, 200, 1] for k in range(256)]
    objects = [
        {"name": f"o{i}", "points": [[300 * i + 100, 1500, 1]], "brush": dabs, "curve": [[0, 0], [1, 1]]}
        for i in range(12)
    ]
    return frame0, frame1, project(num_frames=9, objects=objects)


def quiet_after(pid: int, since: float, limit: float = 60) -> float:
    """Seconds from ``since`` until the server's CPU went quiet (under 0.1 s of CPU per 0.5 s, for 1 s)."""
    last, quiet_since = cpu_s(pid), None
    while time.monotonic() - since < limit:
        time.sleep(0.5)
        now = cpu_s(pid)
        if now - last < 0.1:
            quiet_since = quiet_since or time.monotonic() - 0.5
            if time.monotonic() - quiet_since >= 1.0:
                break
        else:
            quiet_since = None
        last = now
    return (quiet_since or time.monotonic()) - since


def frames_written(pid: int) -> bool:
    """Whether a render of the server has written its second frame (``frame_0001.png``, in any of its folders)."""
    return any(Path(tempfile.gettempdir()).glob(f"{ROOT_PREFIX}{pid}-*/**/frame_0001.png"))


def cancels(server: Server, folder: Path) -> tuple[bool, str]:
    """A big-frame, many-dab project (``many_dabs``) cancelled three times: while it loads (0.5 s after its first
    answer), 5 s later (on this machine: in the render's first step, the pair's flow and the objects' layers), and
    once frames are being written. For each: how long the cancel call took (Gradio answers it once the call's
    current step ends), how long the server's CPU went on and how much CPU it used meanwhile (the 1 s of quiet
    that ends the measure included), and the RSS above idle once it stopped."""
    frame0, frame1, text = many_dabs(folder)
    client = Client(server.url, verbose=False, httpx_kwargs={"timeout": 120})  # the cancel call waits for the step
    rows, work = [], []
    for stage, ready in (
        ("loading", lambda started: time.monotonic() - started > 0.5),
        ("first step", lambda started: time.monotonic() - started > 5),
        ("frames", lambda _started: frames_written(server.pid)),
    ):
        job = client.submit(handle_file(str(frame0)), handle_file(str(frame1)), text, api_name="/render_project")
        deadline, started = time.monotonic() + 180, None
        while time.monotonic() < deadline and not job.done():
            if started is None and job.status().code.name == "ITERATING":  # checked, about to load
                started = time.monotonic()
            if started is not None and ready(started):
                break
            time.sleep(0.05)
        if job.done() or started is None:
            rows.append(f"{stage}: never reached ({job.status().code.name})")
            continue
        cancelled, cpu_at_cancel = time.monotonic(), cpu_s(server.pid)
        job.cancel()
        answered = time.monotonic() - cancelled
        stopped = quiet_after(server.pid, cancelled)
        work.append(cpu_s(server.pid) - cpu_at_cancel)
        rows.append(
            f"{stage}: cancel answered in {answered:.1f} s, CPU stopped {stopped:.1f} s after ({work[-1]:.1f} s of "
            f"CPU), RSS +{rss_mib(server.pid) - server.idle:.0f} MiB"
        )
    served = server.render(DEMO / "frame0.png", DEMO / "frame1.png", project(num_frames=3), client)
    held = len(work) == 3 and max(work) <= CANCEL_GOAL_CPU_S and served == "served"
    held = held and rss_mib(server.pid) - server.idle < ATTACK_GOAL_MIB
    return held, "; ".join(rows) + f"; next call {served}"


def flood(server: Server, folder: Path) -> tuple[bool, str]:
    """One API client asks for 40 renders at once (a few may wait, the others are refused at once: Gradio's client
    says "Queue is full"); a second user keeps asking for still previews in the page meanwhile (from the same
    address: everything here is 127.0.0.1, so the per-address bound is not what this attack exercises)."""
    frame = write_image(folder / "small.png", np.full((64, 96, 3), 120, np.uint8))
    flooder, user = Client(server.url, verbose=False), str(uuid.uuid4())[:10]
    upload0, upload1 = server.upload(DEMO / "frame0.png"), server.upload(DEMO / "frame1.png")
    server.page_event("load_frames", [None, upload0, upload1, LETTERBOX], user)
    text = project(num_frames=30)
    jobs = [
        flooder.submit(handle_file(str(frame)), handle_file(str(frame)), text, api_name="/render_project")
        for _ in range(40)
    ]
    served, latencies = 0, []
    while not all(job.done() for job in jobs) and len(latencies) < 20:
        started = time.perf_counter()
        t = 0.1 + 0.04 * len(latencies)  # a new time each: no cached frame
        ok, output = server.page_event("preview", [None, None, t, "rife-v4", AUTO, False], user)  # not tinted
        served += ok and isinstance(output, dict) and output["data"][0] is not None  # a still frame came back
        latencies.append(time.perf_counter() - started)
    outcomes = []
    for job in jobs:
        try:
            job.result(timeout=300)
            outcomes.append("served")
        except Exception as exc:  # counted
            outcomes.append(str(exc))
    refused = sum("Queue is full" in o for o in outcomes)
    held = served == len(latencies) and served > 0 and refused >= len(jobs) - MAX_QUEUED_PER_SESSION - 2
    median = sorted(latencies)[len(latencies) // 2] if latencies else float("nan")
    detail = f"flooder: {outcomes.count('served')} served, {refused} refused at once; second user: {served}/"
    return held, detail + f"{len(latencies)} previews answered (median {median:.1f} s)"


def holds_frames(server: Server, session: str) -> bool:
    """Whether the server still holds a page session's frames: its canvas comes back with an object selection."""
    ok, output = server.page_event("select_object", [None, None], session)
    return ok and isinstance(output, dict) and output["data"][1] is not None  # outputs: session, canvas, ...


def abandoned(server: Server, folder: Path, sessions: int) -> tuple[bool, str]:
    """``sessions`` clients that each load a 4000x4000 pair through the page's upload event and never come back
    (no heartbeat, no page load): the RSS afterwards, and how many sessions the server still holds (asked newest
    first, so that the sessions a question makes anew cannot push out one not yet asked about)."""
    ramp = np.linspace(0, 255, 4000, dtype=np.float32)[None, :, None] * np.ones((4000, 1, 3), np.float32)
    frames = [write_image(folder / f"square{k}.png", np.roll(ramp, 30 * k, 1).astype(np.uint8)) for k in (0, 1)]
    hashes, loaded = [str(uuid.uuid4())[:10] for _ in range(sessions)], 0
    for session in hashes:
        uploads = [server.upload(frame) for frame in frames]
        ok, _ = server.page_event("load_frames", [None, *uploads, LETTERBOX], session)
        loaded += ok
    above = rss_mib(server.pid) - server.idle
    held = sum(holds_frames(server, session) for session in reversed(hashes))
    kept = held <= MAX_LIVE_SESSIONS and above < RUN_GOAL_MIB
    return kept, (
        f"{loaded} sessions loaded; the server still holds {held} of them (the newest); RSS {above:.0f} MiB above "
        f"idle afterwards; {temp_files(server.pid)} files in its temporary folders"
    )


def sigterm(server: Server, log: Path) -> tuple[bool, str]:
    """SIGTERM while a 121-frame render runs: the exit status, an abort in the server's output (``log``), files left."""
    client = Client(server.url, verbose=False)
    frame0, frame1 = DEMO / "frame0.png", DEMO / "frame1.png"
    client.submit(
        handle_file(str(frame0)), handle_file(str(frame1)), project(num_frames=121), api_name="/render_project"
    )
    deadline = time.monotonic() + 120
    rendering = False
    while not rendering and time.monotonic() < deadline:
        time.sleep(0.2)
        rendering = frames_written(server.pid)
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(timeout=60)
    aborted = "terminate called" in log.read_text(errors="replace")
    left = temp_files(server.pid)
    held = rendering and server.process.returncode == 143 and not aborted and left == 0
    when = "while frames were written" if rendering else "before any frame was written"
    status = f"exit status {server.process.returncode}, {'aborted' if aborted else 'no abort'}, {left} files left"
    return held, f"sent {when}: {status}"


def traceback_ends(log: str) -> dict[str, int]:
    """The last line of each traceback in a log (the exception), counted."""
    ends: dict[str, int] = {}
    lines = log.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("Traceback"):
            following = lines[index + 1 :]
            end = next((later for later in following if later and not later.startswith((" ", "Traceback"))), "?")
            ends[end[:160]] = ends.get(end[:160], 0) + 1
    return ends


def row(cells: list[str]) -> None:
    """One row of the printed (Markdown) table."""
    print("| " + " | ".join(cells) + " |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=50, help="abandoned sessions")
    parser.add_argument("--timeout", type=float, default=900, help="bound on the whole run, seconds")
    parser.add_argument("--log", type=Path, help="keep the server's output in this file (default: removed)")
    parser.add_argument("--only", default="", help="run only the attacks whose names contain one of these words")
    args = parser.parse_args()
    timer = threading.Timer(args.timeout, lambda: os._exit(3))  # bounded in time whatever happens
    timer.daemon = True
    timer.start()
    attacks: list[tuple[str, Attack, int]] = [  # name, attack, goal for its peak RSS above idle (MiB)
        ("refusals", refusals, ATTACK_GOAL_MIB),
        ("13000x13000 frames", huge_frames, ATTACK_GOAL_MIB),
        ("8 masks of 13000x13000", huge_masks, ATTACK_GOAL_MIB),
        ("40 MB project string", big_string, ATTACK_GOAL_MIB),
        ("cancel x3", cancels, ATTACK_GOAL_MIB),
        ("flood by one client", flood, RUN_GOAL_MIB),
        (
            f"{args.sessions} abandoned sessions",
            lambda server, folder: abandoned(server, folder, args.sessions),
            RUN_GOAL_MIB,
        ),
    ]
    with tempfile.TemporaryDirectory() as folder:
        log = args.log or Path(folder) / "server.log"
        port = free_port()
        server = Server(f"http://127.0.0.1:{port}/", start_server(port, 180, log))
        print(f"server idle RSS {server.idle:.0f} MiB (pid {server.pid})\n")
        row(["attack", "held", "peak RSS above idle", "time", "figures"])
        row(["---"] * 5)
        try:
            for name, attack, goal in attacks:
                if args.only and not any(word in name for word in args.only.split(",")):
                    continue
                started = time.monotonic()
                with peak_rss(server.pid) as peak:
                    try:
                        held, detail = attack(server, Path(folder))
                    except Exception as exc:  # an attack that fails is reported, the others still run
                        held, detail = False, f"the attack failed: {type(exc).__name__}: {exc}"
                held = held and peak[0] - server.idle <= goal
                verdict, above = "held" if held else "**NOT HELD**", f"+{peak[0] - server.idle:.0f} MiB (goal {goal})"
                row([name, verdict, above, f"{time.monotonic() - started:.0f} s", detail])
            whole = rss_mib(server.pid, "VmHWM")
            held, detail = sigterm(server, log)
            row(["SIGTERM during a render", "held" if held else "**NOT HELD**", "", "", detail])
        finally:
            server.process.kill()
        tracebacks = traceback_ends(log.read_text(errors="replace"))
    print(
        f"\nunhandled errors (answers saying {INTERNAL!r}): {server.unhandled}; tracebacks in the server's log: "
        f"{sum(tracebacks.values())}; whole run peak RSS {whole:.0f} MiB, {whole - server.idle:+.0f} above idle "
        f"({'held' if whole - server.idle <= RUN_GOAL_MIB else 'NOT HELD'}: goal {RUN_GOAL_MIB} MiB)"
    )
    for end, count in tracebacks.items():
        print(f"  {count} x {end}")
    os._exit(0)


if __name__ == "__main__":
    main()
