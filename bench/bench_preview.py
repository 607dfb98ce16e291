"""Benchmark: the app's live preview latency on the demo project (448x256, three objects).

    .venv/bin/python bench/bench_preview.py [--renderer splat] [--steps 20]

Prints the time of the first preview after the objects change (encode the pair, estimate its flow once, build the
layers) and of later previews at new times (what scrubbing costs), plus a cached repeat, and the plain network's
frame at one time on the same pair for comparison. The app calls the same ``interp.app.preview.preview_frame``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from interp.app.preview import ModelPool, PreviewCache, preview_frame
from interp.app.session import Session, from_project
from interp.core.images import resize
from interp.models.paths import PROJECT_ROOT
from interp.models.registry import DEFAULT_MODEL
from interp.project.inputs import load_inputs
from interp.project.schema import load_project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--renderer", default=None, help="splat, maps or naive (default: the model's)")
    parser.add_argument("--steps", type=int, default=20, help="preview times to scrub through")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    args = parser.parse_args()

    project = load_project(PROJECT_ROOT / "assets" / "demo" / "project.json")
    session = Session()
    from_project(session, project, load_inputs(project))
    pool = ModelPool()
    pool.get(args.model)  # loading the model is not part of the preview

    def timed(t: float, cache: PreviewCache) -> float:
        started = time.perf_counter()
        preview_frame(session, cache, pool, args.model, t, args.renderer)
        return time.perf_counter() - started

    firsts = []
    for _ in range(3):
        session.version += 1  # as after a click: the pair is prepared again
        firsts.append(timed(0.5, PreviewCache()))
    cache = PreviewCache()
    timed(0.0, cache)
    scrub = [timed(t, cache) for t in np.linspace(0.03, 0.97, args.steps)]
    repeat = timed(float(np.linspace(0.03, 0.97, args.steps)[3]), cache)
    height, width = session.size
    print(f"{args.model}, renderer {args.renderer or 'default'}, demo project {width}x{height}, 3 objects")
    print(f"first preview after an edit (prepare + frame): median {statistics.median(firsts):.3f} s")
    print(
        f"scrubbing to new times: median {statistics.median(scrub):.3f} s, max {max(scrub):.3f} s "
        f"over {len(scrub)} times"
    )
    print(f"a time already shown (cache): {repeat * 1000:.1f} ms")
    interpolator = pool.get(args.model)
    pair = interpolator.encode_pair(*(resize(image, height, width) for image in (session.img0, session.img1)))
    plain = []
    for t in np.linspace(0.03, 0.97, 5):
        started = time.perf_counter()
        interpolator.render(pair, [float(t)])
        plain.append(time.perf_counter() - started)
    print(f"the plain network, one frame: median {statistics.median(plain):.3f} s; a new preview time costs "
          f"{statistics.median(scrub) / statistics.median(plain):.1f}x that")  # fmt: skip


if __name__ == "__main__":
    main()
