"""Benchmark: the AMT-S, IFRNet and EMA-VFI ports ([D] and [D,R]) on this machine, per output frame.

    .venv/bin/python bench/bench_families.py [--repeats 3] [--device cpu] [--models D-AMT-S DR-EMA-VFI ...]
    .venv/bin/python bench/bench_families.py --reference /tmp/interpany-ref [--repeats 5] [--repeats-large 3]

Without ``--reference``, this times our port only (no ratio). Weights are random: AMT-S and IFRNet at their only size;
EMA-VFI at the official size (F = 32, depths 2, 2, 2, 4, 4). Cases, per model (median of ``--repeats`` after a
warm-up; [D,R] with the default 2 iterations):

* one frame at 448x256 and at 1280x720 (a map of 0.5, the pair encoded each time);
* 16 different per-pixel maps on one encoded 448x256 pair, time per frame;
* peak resident memory of a fresh process rendering one 1280x720 frame (measured in a child process).

With ``--reference DIR`` (a checkout of zzh-tech/InterpAny-Clearer; nothing of it is installed or committed here:
its networks are imported from DIR at run time, and need the pinned packages of bench/requirements.txt), our port
is timed against the reference code, both loading the same random-weight checkpoints in the official layouts: the
fixtures in ``--fixtures`` (default ../shared/fixtures/interpany-families; EMA-VFI there is a small F = 8 network,
not the official F = 32). First each model's output on the fixtures' frames and map is compared (ours, fed BGR as
the engine does, against the reference fed RGB as the fixtures were made; and the reference against the fixtures'
golden file). Then, alternating ours and the reference in each repeat after one warm-up each, from numpy frames to
numpy frames (the reference as its ``inference_img_plus_sdi*.py`` scripts do it: pad, network, unpad, clamp):

* one frame at 448x256 (map 0.5; all six models; median of ``--repeats``);
* one frame at 1280x720 ([D] models; median of ``--repeats-large``);
* 16 per-pixel maps on one 448x256 pair, time per frame ([D] models; median of ``--repeats-large``): the reference
  AMT-S / IFRNet run their network once per map (they have no way to reuse the pair's encoding); reference EMA-VFI
  gets all 16 maps in one ``multi_inference`` call, which runs its backbone once.

Every timed case also compares the two sides' warm-up outputs (max abs difference).
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from interp.engine.interpolator import DEFAULT_ITERS, Interpolator
from interp.io.images import read_image
from interp.models.builders import build_network
from interp.models.ema_vfi import EMAVFIDI, ema_vfi_size
from interp.models.registry import get_spec
from interp.models.weights import load_network

MODELS = ("D-AMT-S", "DR-AMT-S", "D-IFRNet", "DR-IFRNet", "D-EMA-VFI", "DR-EMA-VFI")
SIZES = ((256, 448), (720, 1280))
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
FIXTURES = SHARED / "fixtures" / "interpany-families"
DEMO = SHARED / "data" / "interpany-demo"
#: a correct port differs from the reference by about 1e-5 (float reordering); a wrong channel order or map, by
#: 1.6e-3 to 1.0 (the fixtures' README).
TOLERANCE = 1e-4


def engine(name: str, device: str) -> Interpolator:
    spec = get_spec(name)
    torch.manual_seed(0)
    network = EMAVFIDI(spec.iterative) if spec.arch == "ema-vfi" else build_network(spec)
    return Interpolator(network.eval(), spec, device=device)


def frames(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    img0 = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    return img0, np.roll(img0, 8, axis=1)


def median_time(fn: Callable[[], object], repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_memory_child(name: str, device: str) -> float:
    """GiB of peak resident memory in a fresh process that loads ``name`` and renders one 1280x720 frame."""
    out = subprocess.run(
        [sys.executable, __file__, "--peak-child", name, "--device", device], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])["peak_gib"]


def peak_child(name: str, device: str) -> None:
    interp = engine(name, device)
    img0, img1 = frames(*SIZES[1])
    interp.render(interp.encode_pair(img0, img1), [0.5])
    # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child would report its parent's peak.
    status = Path("/proc/self/status").read_text().splitlines()
    peak_kib = next((int(line.split()[1]) for line in status if line.startswith("VmHWM:")), 0)
    print(json.dumps({"peak_gib": peak_kib / 2**20}))


def bench(name: str, device: str, repeats: int) -> dict[str, float]:
    interp = engine(name, device)
    row: dict[str, float] = {}
    for height, width in SIZES:
        pair_frames = frames(height, width)
        row[f"{width}x{height}"] = median_time(
            lambda pf=pair_frames: interp.render(interp.encode_pair(*pf), [0.5]), repeats
        )
    img0, img1 = frames(*SIZES[0])
    pair = interp.encode_pair(img0, img1)
    ramp = np.linspace(0.0, 1.0, SIZES[0][1], dtype=np.float32)[None].repeat(SIZES[0][0], 0)
    maps = [np.clip(ramp * (k + 1) / 17, 0, 1) for k in range(16)]
    row["16 maps, per frame"] = median_time(lambda: interp.render(pair, maps), repeats) / 16
    row["peak GiB 1280x720"] = peak_memory_child(name, device)
    return row


# --- against the reference code (--reference) ------------------------------------------------------------------------

#: a map as both sides take it: a uniform value, or an H x W float32 array.
Map = float | np.ndarray


@dataclass
class Reference:
    """A reference network loaded from a checkout, and its inference loop: (img0, img1, maps, iters) -> frames."""

    run: Callable[[np.ndarray, np.ndarray, Sequence[Map], int], list[np.ndarray]]


def fixture_folder(fixtures: Path, name: str) -> Path:
    """The fixtures' model folder for a registry name (``DR-AMT-S`` -> ``AMT-S/DR-AMT-S``)."""
    return fixtures / name.split("-", 1)[1] / name


def load_reference(checkout: Path, name: str, folder: Path) -> Reference:
    """The reference implementation of ``name`` from a checkout of InterpAny-Clearer, with ``folder``'s weights.

    The reference is not a package: its scripts run from their own folder (``models/DI-AMT-and-IFRNet`` or
    ``models/DI-EMA-VFI``) and import its modules as top-level names (``networks.SDI-AMT-S``, ``utils.utils``,
    ``model``, ``config``, ``Trainer``). So that folder goes on ``sys.path`` while they are imported, here only, and is
    taken off again; nothing of it is installed.
    """
    family = name.split("-", 1)[1]
    code = checkout / "models" / ("DI-EMA-VFI" if family == "EMA-VFI" else "DI-AMT-and-IFRNet")
    if not code.is_dir():
        raise SystemExit(
            f"--reference {checkout}: no {code}; give the path of a checkout of zzh-tech/InterpAny-Clearer"
        )
    iterative = name.startswith("DR-")
    sys.path.insert(0, str(code))
    try:
        if family == "EMA-VFI":
            return _ema_vfi_reference(folder, iterative)
        return _amt_ifrnet_reference(folder, iterative)
    finally:
        sys.path.remove(str(code))


def _padded(
    img0: np.ndarray, img1: np.ndarray, maps: Sequence[Map], input_padder: type, multiple: int
) -> tuple[torch.Tensor, torch.Tensor, list[torch.Tensor], object]:
    """Frames and maps as the reference scripts make them: ``(torch.tensor(I.transpose(2, 0, 1)) / 255.)
    .unsqueeze(0)`` padded by their ``InputPadder`` (replicate, centred), maps at the padded size. Returns the
    padder too, for ``unpad``."""
    frame0, frame1 = ((torch.tensor(i.transpose(2, 0, 1)) / 255.0).unsqueeze(0) for i in (img0, img1))
    padder = input_padder(frame0.shape, multiple)
    frame0, frame1 = padder.pad(frame0, frame1)
    return frame0, frame1, _map_tensors(maps, frame0, padder._pad), padder


def _map_tensors(maps: Sequence[Map], padded: torch.Tensor, pad: list[int]) -> list[torch.Tensor]:
    """The scripts' ``zeros_like(I0[:, :1]) + t`` for a uniform map; a per-pixel map padded as the frames are."""
    return [
        torch.zeros_like(padded[:, :1]) + m
        if isinstance(m, float)
        else F.pad(torch.from_numpy(m)[None, None], pad, mode="replicate")
        for m in maps
    ]


def _recur(
    step: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor],
    frame0: torch.Tensor,
    embt: torch.Tensor,
    iters: int,
) -> torch.Tensor:
    """The [D,R] loop of both folders' ``inference_img_plus_sdi_recur.py``; ``step(reference image, current map,
    previous map)`` is one network pass."""
    mid = pre_mid = frame0
    for j in range(iters):
        pre_embt = (embt * float(j)) / float(iters)
        cur_embt = (embt * (float(j) + 1)) / float(iters)
        mid = step(pre_mid, cur_embt, pre_embt)
        pre_mid = mid
    return mid


def _to_numpy(frame: torch.Tensor) -> np.ndarray:
    return frame.clamp(0, 1)[0].permute(1, 2, 0).numpy()


def _amt_ifrnet_reference(folder: Path, iterative: bool) -> Reference:
    from omegaconf import OmegaConf

    build_from_cfg = importlib.import_module("utils.build_utils").build_from_cfg
    input_padder = importlib.import_module("utils.utils").InputPadder
    yaml = next(folder.glob("*.yaml"))  # as its inference_img.py: the first YAML in the checkpoint folder
    network = build_from_cfg(OmegaConf.load(yaml).network)
    network.load_state_dict(torch.load(folder / "ckpts" / "latest.pth", map_location="cpu")["state_dict"])
    network.eval()

    @torch.no_grad()
    def run(img0: np.ndarray, img1: np.ndarray, maps: Sequence[Map], iters: int) -> list[np.ndarray]:
        frame0, frame1, embts, padder = _padded(img0, img1, maps, input_padder, 16)
        out = []
        for embt in embts:
            if iterative:
                mid = _recur(
                    lambda *condition: network(frame0, frame1, *condition, eval=True)["imgt_pred"], frame0, embt, iters
                )
            else:  # inference_img_plus_sdi.py
                mid = network(frame0, frame1, embt, eval=True)["imgt_pred"]
            out.append(_to_numpy(padder.unpad(mid)))
        return out

    return Reference(run)


def _ema_vfi_reference(folder: Path, iterative: bool) -> Reference:
    config = importlib.import_module("config_recur" if iterative else "config")
    trainer = importlib.import_module("Trainer_recur" if iterative else "Trainer")
    input_padder = importlib.import_module("benchmark.utils.padder").InputPadder
    pkl = folder / "train_sdi_log" / f"{config.MODEL_CONFIG['LOGNAME']}.pkl"
    state = torch.load(pkl, map_location="cpu")
    width, depths = ema_vfi_size({key.removeprefix("module."): value for key, value in state.items()})
    # Trainer.Model.__init__ builds the official F = 32 size and moves it to CUDA; build as it does, at the
    # checkpoint's size, then load with the reference's own load_model (its key filter and strict load).
    backbone_type, multiscale_type = config.MODEL_CONFIG["MODEL_TYPE"]
    backbone_cfg, multiscale_cfg = config.init_model_config(F=width, W=7, depth=list(depths))
    model = trainer.Model.__new__(trainer.Model)
    model.net = multiscale_type(backbone_type(**backbone_cfg), **multiscale_cfg)
    model.name = config.MODEL_CONFIG["LOGNAME"]
    model.load_model(log_path=str(pkl.parent))
    model.eval()

    @torch.no_grad()
    def run(img0: np.ndarray, img1: np.ndarray, maps: Sequence[Map], iters: int) -> list[np.ndarray]:
        frame0, frame1, embts, padder = _padded(img0, img1, maps, input_padder, 32)
        if not iterative:  # multi_inference: the backbone once for all maps (its script passes one map per call)
            mids = [m[None] for m in model.multi_inference(frame0, frame1, time_list=embts, TTA=False, fast_TTA=False)]
            return [_to_numpy(padder.unpad(mid)) for mid in mids]
        return [
            _to_numpy(padder.unpad(_recur(partial(model.inference, frame0, frame1), frame0, embt, iters)))
            for embt in embts
        ]

    return Reference(run)


def max_diff(a: Sequence[np.ndarray], b: Sequence[np.ndarray]) -> float:
    return max(float(np.abs(x - y).max()) for x, y in zip(a, b, strict=True))


def bgr(image: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(image[:, :, ::-1])


def equality(name: str, ours: Interpolator, reference: Reference, fixtures: Path) -> tuple[float, float]:
    """(ours vs reference, reference vs the fixture's golden file), max abs, on the fixtures' frames and map.

    The engine feeds these networks BGR (channels reversed), so it gets the frames reversed and its output is
    reversed back: the network then sees the same RGB tensor as the reference (as ``tests/models/families.py``).
    """
    img0, img1 = (read_image(DEMO / f"I0_{k}.png") for k in (0, 1))
    dmap = np.load(fixtures / "inputs_dmap.npy")
    theirs = reference.run(img0, img1, [dmap], DEFAULT_ITERS)
    mine = [frame[:, :, ::-1] for frame in ours.render(ours.encode_pair(bgr(img0), bgr(img1)), [dmap])]
    golden = np.load(fixture_folder(fixtures, name) / ("out_iters2.npy" if name.startswith("DR-") else "out.npy"))
    return max_diff(mine, theirs), max_diff(theirs, [golden.transpose(1, 2, 0)])


def alternated(
    ours: Callable[[], list[np.ndarray]], theirs: Callable[[], list[np.ndarray]], repeats: int
) -> tuple[float, float, float]:
    """Median seconds of ours and of the reference, each repeat running both (order swapped every repeat), after a
    warm-up of each whose outputs are compared: (ours, reference, max abs difference)."""
    diff = max_diff([f[:, :, ::-1] for f in ours()], theirs())
    times: dict[int, list[float]] = {0: [], 1: []}
    for repeat in range(repeats):
        for side in (0, 1) if repeat % 2 == 0 else (1, 0):
            start = time.perf_counter()
            (ours, theirs)[side]()
            times[side].append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1]), diff


def compare(name: str, args: argparse.Namespace) -> list[tuple[str, float, float, float]]:
    """Rows (case, ours s per frame, reference s per frame, max abs difference) for one model."""
    folder = fixture_folder(args.fixtures, name)
    spec = get_spec(name)
    ours = Interpolator(load_network(spec, folder), spec, device="cpu")
    reference = load_reference(args.reference, name, folder)
    versus, golden = equality(name, ours, reference, args.fixtures)
    verdict = "same" if max(versus, golden) <= TOLERANCE else "DIFFERENT"
    print(f"{name}: ours vs reference {versus:.2e}, reference vs golden file {golden:.2e} ({verdict})", flush=True)
    cases: list[tuple[str, tuple[int, int], list[Map], int]] = [("448x256", SIZES[0], [0.5], args.repeats)]
    if not spec.iterative:
        ramp = np.linspace(0.0, 1.0, SIZES[0][1], dtype=np.float32)[None].repeat(SIZES[0][0], 0)
        cases.append(("1280x720", SIZES[1], [0.5], args.repeats_large))
        maps = [np.clip(ramp * (k + 1) / 17, 0, 1) for k in range(16)]
        cases.append(("16 maps on one 448x256 pair, per frame", SIZES[0], maps, args.repeats_large))
    rows = []
    for case, size, case_maps, repeats in cases:
        img0, img1 = frames(*size)
        mine0, mine1 = bgr(img0), bgr(img1)
        t_ours, t_ref, diff = alternated(
            lambda a=mine0, b=mine1, m=case_maps: ours.render(ours.encode_pair(a, b), m),
            lambda a=img0, b=img1, m=case_maps: reference.run(a, b, m, DEFAULT_ITERS),
            repeats,
        )
        n = len(case_maps)
        rows.append((case, t_ours / n, t_ref / n, diff))
        print(
            f"| `{name}` | {case} | {t_ours / n:.3f} s | {t_ref / n:.3f} s | {t_ref / t_ours:.2f}x | {diff:.1e} |",
            flush=True,
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--models", nargs="+", default=MODELS, choices=MODELS)
    parser.add_argument(
        "--reference",
        type=Path,
        default=None,
        help="a checkout of zzh-tech/InterpAny-Clearer: time our port against its code (CPU, the fixtures' weights)",
    )
    parser.add_argument("--fixtures", type=Path, default=FIXTURES, help="the random-weight fixture checkpoints")
    parser.add_argument("--repeats-large", type=int, default=3, help="with --reference: repeats at 1280x720, 16 maps")
    parser.add_argument("--peak-child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peak_child:
        peak_child(args.peak_child, args.device)
        return 0
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), device {args.device}")
    if args.reference is not None:
        if not args.fixtures.is_dir():
            raise SystemExit(f"--fixtures {args.fixtures}: not a folder (the random-weight fixture checkpoints)")
        print("| model | case | ours | reference | ratio (reference / ours) | max abs diff |")
        print("|---|---|---|---|---|---|")
        for name in args.models:
            compare(name, args)
        return 0
    print(
        "no --reference DIR given: skipping the comparison with the reference code (InterpAny-Clearer); "
        "timing our port only"
    )
    print("| model | 448x256 | 1280x720 | 16 maps on one 448x256 pair, per frame | peak memory 1280x720 |")
    print("|---|---|---|---|---|")
    for name in args.models:
        row = bench(name, args.device, args.repeats)
        values = list(row.values())
        print(
            f"| `{name}` | {values[0]:.3f} s | {values[1]:.3f} s | {values[2]:.3f} s | {values[3]:.2f} GiB |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
