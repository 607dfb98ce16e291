"""Benchmark: the app as a public service, attacked and loaded, on 127.0.0.1 only.

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_reliability.py [--renders 6] [--frames 9] [--timeout 900]

Starts ``app.py`` in a subprocess on a free local port and, through ``gradio_client``:

* attacks: absolute paths in a project, an HTML object name, a 20000-frame job, a cancelled 121-frame job, absurd
  fps, too many points, corrupt / empty / non-image uploads: each must be refused (or, for the cancel, stopped and
  cleaned up);
* load: ``--renders`` concurrent ``/render_project`` calls (the demo project, 448x256) while another session
  previews in a loop, as a browser scrubbing the time slider would.

Prints requests served / failed, preview latency (median, p95) while the renders run, the server's peak and final
RSS, and the temporary files it left (while running, and after SIGTERM). Everything is bounded by ``--timeout``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from gradio_client import Client, handle_file

from interp.app.session import Session, from_project, to_project
from interp.app.workspace import ROOT_PREFIX
from interp.models.paths import PROJECT_ROOT
from interp.project.inputs import load_inputs
from interp.project.schema import load_project, project_to_dict

DEMO = PROJECT_ROOT / "assets" / "demo"
AUTO = "auto (model default)"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mib(pid: int, field: str = "VmRSS") -> float:
    """A process's resident memory (``VmRSS``) or its peak (``VmHWM``), MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def temp_files(pid: int) -> int:
    """Files under the server's temporary folders."""
    roots = Path(tempfile.gettempdir()).glob(f"{ROOT_PREFIX}{pid}-*")
    return sum(1 for root in roots for path in root.rglob("*") if path.is_file())


def start_server(port: int, timeout: float) -> subprocess.Popen:
    """``python app.py`` on 127.0.0.1:port, once it answers."""
    process = subprocess.Popen(
        [sys.executable, str(PROJECT_ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
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


def demo_document() -> dict:
    """The demo project, self-contained (frames and masks embedded), as the page saves it."""
    project = load_project(DEMO / "project.json")
    session = Session()
    from_project(session, project, load_inputs(project))
    return project_to_dict(to_project(session, num_frames=9, fps=12))


def refused(client: Client, frame0: str, frame1: str, document: dict | str, expect: str) -> tuple[bool, str]:
    """Call ``/render_project`` and check that it is refused with a message containing ``expect``."""
    text = document if isinstance(document, str) else json.dumps(document)
    try:
        client.predict(handle_file(frame0), handle_file(frame1), text, api_name="/render_project")
    except Exception as exc:  # gradio_client raises AppError or plain Exception
        return expect.lower() in str(exc).lower(), str(exc)[:100]
    return False, "accepted"


def attacks(url: str, pid: int, folder: Path, document: dict) -> list[tuple[str, bool, str]]:
    """Each attack: (what, held, detail)."""
    client = Client(url, verbose=False)
    frame0, frame1 = str(DEMO / "frame0.png"), str(DEMO / "frame1.png")
    results = []
    absolute = {**document, "objects": [{**document["objects"][0], "mask": "/etc/hostname"}]}
    results.append(("absolute path in a project", *refused(client, frame0, frame1, absolute, "path")))
    many = {**document, "objects": [{"name": "o", "points": [[5, 5, 1]] * 10_000, "curve": [[0, 0], [1, 1]]}]}
    results.append(("10000 points", *refused(client, frame0, frame1, many, "at most")))
    results.append(("fps 0.001", *refused(client, frame0, frame1, {**document, "fps": 0.001}, "fps")))
    results.append(("20000 frames", *refused(client, frame0, frame1, {**document, "num_frames": 20000}, "frames")))
    (folder / "empty.png").write_bytes(b"")
    (folder / "text.png").write_text("not an image")
    (folder / "cut.png").write_bytes((DEMO / "frame1.png").read_bytes()[:500])
    for name in ("empty.png", "text.png", "cut.png"):
        results.append((f"corrupt upload {name}", *refused(client, frame0, str(folder / name), document, "frame 1")))
    deep = "[" * 100_000 + "]" * 100_000
    results.append(("100000-deep JSON", *refused(client, frame0, frame1, deep, "JSON")))
    html = {"format": "interp-project", "version": 1, "frame0": document["frame0"], "frame1": document["frame1"]}
    html["objects"] = [{**document["objects"][0], "name": "<img src=http://127.0.0.1:9/x>"}]
    (folder / "html.json").write_text(json.dumps(html))
    page = Client(url, verbose=False)
    views = page.predict(handle_file(str(folder / "html.json")), api_name="/load_project_file")
    shown = [v for v in views if isinstance(v, str) and "img" in v]
    escaped = bool(shown) and all("<img" not in v for v in shown)
    results.append(("HTML object name", escaped, shown[0][:80] if shown else "not shown"))
    job = client.submit(
        handle_file(frame0),
        handle_file(frame1),
        json.dumps({**document, "num_frames": 121}),
        api_name="/render_project",
    )
    time.sleep(6)
    job.cancel()
    deadline = time.monotonic() + 20
    while temp_files(pid) and time.monotonic() < deadline:
        time.sleep(0.5)
    results.append(("cancel a 121-frame job", temp_files(pid) == 0, f"{temp_files(pid)} files left 20 s later"))
    return results


def load(url: str, pid: int, document: dict, renders: int) -> dict:
    """``renders`` concurrent API renders and a preview loop in another session; latencies and counts."""
    previewer = Client(url, verbose=False)
    previewer.predict(api_name="/load_demo_project")
    idle = []
    for step in range(8):  # the same previews with no render running, for comparison
        started = time.perf_counter()
        previewer.predict(0.05 + step * 0.11, "rife-v4", AUTO, api_name="/preview")
        idle.append(time.perf_counter() - started)
    served, failed, latencies, peak = [], [], [], [0.0]
    text = json.dumps(document)
    frame0, frame1 = str(DEMO / "frame0.png"), str(DEMO / "frame1.png")

    def render() -> None:
        try:
            Client(url, verbose=False).predict(
                handle_file(frame0), handle_file(frame1), text, api_name="/render_project"
            )
            served.append(1)
        except Exception:  # counted, not raised
            failed.append(1)

    threads = [threading.Thread(target=render) for _ in range(renders)]
    for thread in threads:
        thread.start()
    step = 0
    while any(thread.is_alive() for thread in threads):
        step += 1
        started = time.perf_counter()
        try:
            previewer.predict(0.01 + (step * 0.137) % 0.98, "rife-v4", AUTO, api_name="/preview")
            latencies.append(time.perf_counter() - started)
        except Exception:  # counted, not raised
            failed.append(1)
        peak[0] = max(peak[0], rss_mib(pid))
        time.sleep(0.2)  # a person moving the slider again
    served_count = len(served) + len(latencies) + len(idle)
    return {"served": served_count, "failed": len(failed), "latencies": latencies, "idle": idle[1:]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--renders", type=int, default=6, help="concurrent API renders")
    parser.add_argument("--frames", type=int, default=9, help="frames per render")
    parser.add_argument("--timeout", type=float, default=900, help="bound on the whole run, seconds")
    args = parser.parse_args()
    threading.Timer(args.timeout, lambda: os._exit(3)).start()  # bounded in time whatever happens
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    server = start_server(port, 180)
    try:
        document = {**demo_document(), "num_frames": args.frames}
        with tempfile.TemporaryDirectory() as folder:
            for what, held, detail in attacks(url, server.pid, Path(folder), document):
                print(f"attack {what:28s} {'held' if held else 'NOT HELD'}  ({detail})")
            started = time.monotonic()
            figures = load(url, server.pid, document, args.renders)
        latencies = sorted(figures["latencies"])
        p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))] if latencies else float("nan")
        print(f"load: {args.renders} renders of {args.frames} frames + previews in {time.monotonic() - started:.0f} s")
        print(f"requests served {figures['served']}, failed {figures['failed']}")
        if latencies:
            median = statistics.median(latencies)
            print(f"preview during renders: median {median:.2f} s, p95 {p95:.2f} s over {len(latencies)} previews")
            print(f"preview with no render running: median {statistics.median(figures['idle']):.2f} s")
        time.sleep(2)
        print(f"server RSS: peak {rss_mib(server.pid, 'VmHWM'):.0f} MiB, final {rss_mib(server.pid):.0f} MiB")
        print(f"temporary files left while running: {temp_files(server.pid)}")
    finally:
        pid = server.pid
        server.send_signal(signal.SIGTERM)
        server.wait(60)
    print(f"temporary files left after SIGTERM: {temp_files(pid)} (exit status {server.returncode})")
    os._exit(0)


if __name__ == "__main__":
    main()
