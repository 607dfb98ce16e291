"""``python -m interp train``: train InterpAny-Clearer's RIFE (T / D / TR / DR), AMT-S, IFRNet or EMA-VFI (D / DR)
after each family's reference recipe."""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from tqdm import tqdm

from interp.cli.common import non_negative_int, positive_float, positive_int
from interp.cli.evaluate import blur_kernel
from interp.models.registry import get_spec
from interp.research.dataset import CROP_MULTIPLE
from interp.research.maps import REFERENCE_BLUR
from interp.research.recipe import FAMILIES, VARIANTS, family_variant
from interp.research.train import LOG_NAME, TrainConfig, Trainer


def register(parser: argparse.ArgumentParser) -> None:
    """Describe the command on its parser and add its arguments and ``func``."""
    parser.description = (
        "Train InterpAny-Clearer's networks with each family's reference recipe: random triplets from "
        "septuplets (D/DR read dis_index_*.npy maps: run `python -m interp dataset index` first), crops, flips, "
        "rotations, temporal reversal; RIFE: Laplacian L1 + teacher + distillation, AdamW with warm-up and cosine "
        "decay; AMT-S / IFRNet: Charbonnier + ternary, AdamW with cosine decay; EMA-VFI: Laplacian L1 of the frame and "
        "its merged frames, AdamW with warm-up and cosine decay. Checkpoints land in the family's official layout "
        "(RIFE: OUT/train_sdi_log/flownet_sdi.pkl, T: OUT/train_m_log/flownet_m.pkl; AMT-S / IFRNet: "
        "OUT/ckpts/latest.pth + OUT/<V>-<family>.yaml; EMA-VFI: OUT/train_sdi_log/ema-vfi.pkl): --checkpoint OUT "
        "works for image, video and eval."
    )
    parser.add_argument("--model", choices=FAMILIES, default="RIFE", help="network family (default RIFE)")
    parser.add_argument(
        "--variant", required=True, choices=tuple(VARIANTS), help="T, D, TR or DR (AMT-S, IFRNet, EMA-VFI: D, DR)"
    )
    parser.add_argument("--data", required=True, type=Path, help="Vimeo-90K septuplet tree (official or flat)")
    parser.add_argument(
        "--list",
        dest="lists",
        nargs="+",
        default=(),
        metavar="FILE",
        help="training list files (default: sep_trainlist.txt when present, else every septuplet under --data)",
    )
    val = parser.add_mutually_exclusive_group()
    val.add_argument("--val-list", dest="val_lists", nargs="+", default=(), metavar="FILE", help="validation lists")
    val.add_argument(
        "--val-count",
        type=non_negative_int,
        default=None,
        help="hold out the last N training septuplets for validation (default: 5%%, as the reference, at least 1 "
        "and at most 100)",
    )
    parser.add_argument("--out", type=Path, default=None, help="run folder (default runs/<VARIANT>-<MODEL>)")
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--steps", type=positive_int, help="optimisation steps in all")
    length.add_argument("--epochs", type=positive_int, help="passes over the training septuplets (default 1)")
    parser.add_argument("--batch-size", type=positive_int, default=16, help="samples per step (default 16)")
    parser.add_argument(
        "--crop",
        type=positive_int,
        default=None,
        help=f"square crop side, a multiple of {CROP_MULTIPLE} (the family's: 224, EMA-VFI 256; AMT-S at least 128)",
    )
    parser.add_argument(
        "--lr",
        type=positive_float,
        default=None,
        help="peak learning rate (default the family's: RIFE 3e-4 * B / 64, AMT-S 2e-4, IFRNet 1e-4, "
        "EMA-VFI 2e-4 * B / 64)",
    )
    parser.add_argument(
        "--warmup",
        type=non_negative_int,
        default=None,
        help="warm-up steps (default RIFE and EMA-VFI min(2000, 10%%), AMT-S and IFRNet none)",
    )
    parser.add_argument(
        "--map-blur", type=blur_kernel, default=REFERENCE_BLUR, help="Gaussian blur of distance maps (9; 0 off)"
    )
    parser.add_argument("--workers", type=non_negative_int, default=2, help="data-loading processes (default 2)")
    parser.add_argument("--device", default=None, help="cpu or cuda[:N] (default: cuda when available)")
    parser.add_argument("--threads", type=positive_int, default=None, help="CPU threads for torch (default: torch's)")
    parser.add_argument("--resume", action="store_true", help="continue the run in --out (model, optimiser, step)")
    parser.add_argument("--init", type=Path, default=None, help="start from this checkpoint's weights")
    parser.add_argument("--val-every", type=positive_int, default=1000, help="validate every N steps (1000)")
    parser.add_argument("--save-every", type=positive_int, default=1000, help="save every N steps (1000)")
    parser.add_argument("--log-every", type=positive_int, default=50, help=f"log to {LOG_NAME} every N steps (50)")
    parser.add_argument("--val-iters", type=positive_int, default=2, help="[R] iterations when validating (2)")
    parser.add_argument("--seed", type=int, default=1234, help="random seed (default 1234, the reference's)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    variant = family_variant(args.model, args.variant)
    out = args.out or Path("runs") / variant.model
    if args.threads:
        torch.set_num_threads(args.threads)
    config = TrainConfig(
        variant=variant.name,
        model=args.model,
        data=args.data,
        out=out,
        lists=tuple(args.lists),
        val_lists=tuple(args.val_lists),
        val_count=args.val_count,
        steps=args.steps,
        epochs=args.epochs,
        batch_size=args.batch_size,
        crop=args.crop,
        lr=args.lr,
        warmup=args.warmup,
        map_blur=args.map_blur,
        workers=args.workers,
        device=args.device,
        resume=args.resume,
        init=args.init,
        val_every=args.val_every,
        save_every=args.save_every,
        log_every=args.log_every,
        val_iters=args.val_iters,
        seed=args.seed,
    )
    trainer = Trainer(config)
    print(
        f"{len(trainer.train_set)} training / {len(trainer.val_set)} validation septuplets, "
        f"{trainer.total_steps} steps of {config.batch_size} on {trainer.device}"
    )
    with tqdm(total=trainer.total_steps, initial=trainer.step, desc=f"training {variant.model}", unit="step") as bar:

        def progress(step: int, total: int, postfix: dict[str, float]) -> None:
            bar.set_postfix(loss=f"{postfix['loss']:.4f}", lr=f"{postfix['lr']:.2e}", refresh=False)
            bar.update(step - bar.n)

        trainer.progress = progress
        result = trainer.run()
    for step, psnr in result.validations:
        print(f"step {step}: validation PSNR {psnr:.2f} dB")
    spec = get_spec(variant.model)
    print(f"checkpoint: {result.checkpoint} (log: {out / LOG_NAME})")
    print(f"evaluate: python -m interp eval --model {spec.name} --checkpoint {out} --data {args.data}")
    return 0
