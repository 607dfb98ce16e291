"""Benchmark: does training learn? Index the shared Vimeo septuplets, train a variant from random initialisation for a
bounded number of steps, and print the curve of training loss and validation PSNR.

    .venv/bin/python bench/bench_train.py                       # DR, 240 steps of 8 x 128 x 128 on the CPU
    .venv/bin/python bench/bench_train.py --variant T --steps 100 --device cuda --batch-size 16 --crop 224

The septuplets of ``--data`` (default: ../shared/data/eval/vimeo90k_septuplet) are copied into ``--work`` (default a
temporary folder; the source is never written to), indexed with ``python -m interp dataset index``'s code, split
into training and the last ``--val-count`` septuplets for validation, and trained with ``interp.research.train``.
Validation is ``python -m interp eval``'s measurement on the held-out septuplets ((im1, im7) -> im2..im6, their
distance maps for D/DR). For scale, the PSNR of blending the two inputs linearly (``(1 - t) im1 + t im7``) on the
same frames is printed too. The run folder (checkpoint, ``train_log.csv``) stays in ``--work``.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from interp.io.images import read_image
from interp.models.paths import PROJECT_ROOT
from interp.research.indexer import IndexOptions, index_dataset
from interp.research.metrics import psnr, quantize
from interp.research.recipe import get_variant
from interp.research.train import LOG_NAME, TrainConfig, Trainer, validation_samples
from interp.research.vimeo import SEPTUPLET_LENGTH, list_septuplets

DEFAULT_DATA = PROJECT_ROOT.parent / "shared" / "data" / "eval" / "vimeo90k_septuplet"


def copy_frames(source: Path, target: Path) -> Path:
    """Copy every septuplet's im1..im7.png of ``source`` into ``target`` (flat layout)."""
    for septuplet in list_septuplets(source):
        folder = target / septuplet.name
        folder.mkdir(parents=True, exist_ok=True)
        for k in range(SEPTUPLET_LENGTH):
            if not (folder / septuplet.frame(k).name).is_file():
                shutil.copyfile(septuplet.frame(k), folder / septuplet.frame(k).name)
    return target


def blend_psnr(trainer: Trainer) -> float:
    """Mean PSNR of the linear blend of the two inputs on the validation frames."""
    samples = validation_samples(trainer.val_set, get_variant("T"), trainer.config.data)
    scores = []
    for sample in samples:
        img0, img1 = (read_image(p).astype(np.float32) / 255 for p in (sample.frame0, sample.frame1))
        for target in sample.targets:
            gt = read_image(target.gt).astype(np.float32) / 255
            scores.append(psnr(quantize((1 - target.t) * img0 + target.t * img1), gt))
    return float(np.mean(scores))


def curve(log: Path) -> list[tuple[int, str, str]]:
    """(step, mean training loss of the interval ending there, validation PSNR) rows of a training log."""
    rows: dict[int, list[str]] = {}
    with log.open() as handle:
        for row in csv.DictReader(handle):
            entry = rows.setdefault(int(row["step"]), ["", ""])
            if row["loss"]:
                entry[0] = f"{float(row['loss']):.4f}"
            if row["val_psnr"]:
                entry[1] = row["val_psnr"]
    return [(step, loss, val) for step, (loss, val) in sorted(rows.items())]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--work", type=Path, default=None, help="working folder (default: a temporary one)")
    parser.add_argument("--variant", default="DR")
    parser.add_argument("--steps", type=int, default=240)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--crop", type=int, default=128)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--val-count", type=int, default=3)
    parser.add_argument("--val-every", type=int, default=40)
    parser.add_argument("--log-every", type=int, default=20)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (1 is fastest on a shared CPU)")
    parser.add_argument("--device", default=None)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    work = args.work or Path(tempfile.mkdtemp(prefix="bench_train_"))
    data = copy_frames(args.data, work / "data")
    septuplets = list_septuplets(data)

    started = time.monotonic()
    report = index_dataset(septuplets, IndexOptions(method="dis"), workers=1)
    seconds = time.monotonic() - started
    print(
        f"indexed {report.septuplets} septuplets ({report.written} maps written, {report.kept} present) in "
        f"{seconds:.1f} s with chained DIS"
    )

    run = work / f"run-{args.variant}"
    config = TrainConfig(
        variant=args.variant, data=data, out=run, steps=args.steps, batch_size=args.batch_size, crop=args.crop,
        lr=args.lr, workers=args.workers, device=args.device, val_count=args.val_count, val_every=args.val_every,
        save_every=args.val_every, log_every=args.log_every, resume=(run / LOG_NAME).is_file(),
    )  # fmt: skip
    trainer = Trainer(config)
    print(
        f"{trainer.variant.model}: {len(trainer.train_set)} training / {len(trainer.val_set)} validation septuplets, "
        f"{trainer.total_steps} steps of {args.batch_size} x {args.crop}x{args.crop} on {trainer.device} "
        f"({torch.get_num_threads()} thread(s)), peak lr {trainer.schedule.peak:g}, warm-up {trainer.schedule.warmup}"
    )
    print(f"linear blend of the inputs on the validation frames: PSNR {blend_psnr(trainer):.2f} dB")
    validating = [0.0]
    validate = trainer.validate

    def timed_validate():  # wraps the trainer's method to time validation apart from training
        begin = time.monotonic()
        try:
            return validate()
        finally:
            validating[0] += time.monotonic() - begin

    trainer.validate = timed_validate
    first_step = trainer.step
    started = time.monotonic()
    result = trainer.run()
    seconds = time.monotonic() - started
    steps = max(1, result.step - first_step)
    print(
        f"trained steps {first_step}..{result.step} in {seconds / 60:.1f} min: "
        f"{(seconds - validating[0]) / steps:.2f} s/step ({steps / (seconds - validating[0]):.2f} it/s) training, "
        f"{validating[0]:.0f} s validating; curve:"
    )
    print("| step | train loss | val PSNR (dB) |\n|---:|---:|---:|")
    for step, loss, val in curve(run / LOG_NAME):
        print(f"| {step} | {loss} | {val} |")
    print(f"run folder: {run}")


if __name__ == "__main__":
    main()
