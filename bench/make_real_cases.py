"""Make the real-footage ground truth of ``bench_real.py``: register, segment, write masks and an overlay sheet.

    .venv/bin/python bench/make_real_cases.py [--backend auto|sam|fallback] [--cases NAME ...]

For each case of ``real/cases.json`` (or only those named; the others keep what was written before): frames i and
i+2 are registered onto frame i+1's background (SIFT + MAGSAC homography, identity for a fixed camera;
``interp.research.registration``), each object is segmented on registered frame i from its clicks (with registered
frame i+2 as the next frame, as the app does) or, for a case with ``"truth_masks"`` (DAVIS), its true mask on frame i
is warped like the frame (and the true masks keep the objects out of the registration); then
``real/registered.json``, ``real/masks/<case>-<k>.png`` and ``real/overlays.jpg`` (look at it before trusting the
figures) are written.
"""

from __future__ import annotations

import argparse
import json

import cv2
import numpy as np
from PIL import Image, ImageDraw
from real_cases import HERE, REGISTERED_FILE, load_definitions, read_raw_frames, read_truth_masks, warp

from interp.project.schema import Click
from interp.research.registration import Registration, register
from sam_utils.masks import write_mask_png
from sam_utils.prompts import Box
from sam_utils.segmenter import make_segmenter

COLOURS = ((255, 64, 64), (64, 160, 255), (255, 220, 0))


def overlay(image: np.ndarray, masks: list[np.ndarray], clicks: list[list[list[int]]], title: str) -> np.ndarray:
    """Frame with masks tinted and outlined, clicks drawn, and the case name."""
    out = image.astype(np.float32)
    for mask, colour in zip(masks, COLOURS, strict=False):
        out[mask] = 0.55 * out[mask] + 0.45 * np.array(colour)
        edge = mask & ~cv2.erode(mask.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
        out[edge] = colour
    picture = Image.fromarray(out.astype(np.uint8))
    draw = ImageDraw.Draw(picture)
    for points in clicks:
        for x, y in points:
            draw.ellipse((x - 3, y - 3, x + 3, y + 3), fill=(0, 255, 0), outline=(0, 0, 0))
    draw.text((4, 4), title, fill=(255, 255, 0))
    return np.array(picture)


#: Features this close (pixels) to a true object mask are kept out of the registration.
EXCLUDE_PX = 20


def register_or_keep(moving: np.ndarray, fixed: np.ndarray, exclude: np.ndarray | None = None) -> Registration:
    """``register``, or the frame as it is when too few features match (dark, textureless footage)."""
    try:
        return register(moving, fixed, exclude)
    except ValueError as error:
        print(f"  not registered ({error}); kept as it is")
        return Registration(moving, np.ones(moving.shape[:2], bool), np.eye(3), 0)


def segment_objects(segmenter, definition: dict, image: np.ndarray, next_image: np.ndarray) -> list[np.ndarray]:
    """Segment each object of a definition from its clicks (and box) and write its mask PNG."""
    masks = []
    for k, obj in enumerate(definition["objects"]):
        prompts = [Click(x, y) for x, y in obj["points"]] + [Click(x, y, False) for x, y in obj.get("negative", [])]
        box = Box(*obj["box"]) if "box" in obj else None
        mask = segmenter.segment(image, prompts, box, next_image=next_image).mask
        write_mask_png(HERE / "masks" / f"{definition['name']}-{k}.png", mask)
        masks.append(mask)
    return masks


def true_objects(definition: dict, homography0: np.ndarray) -> list[np.ndarray]:
    """The true mask of frame i warped like frame i (one object), written as the case's mask PNG."""
    warped, _ = warp(read_truth_masks(definition)[0].astype(np.uint8) * 255, homography0)
    mask = warped > 127
    write_mask_png(HERE / "masks" / f"{definition['name']}-0.png", mask)
    return [mask]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", default="auto")
    parser.add_argument("--cases", nargs="*", default=None, help="only these cases (default: all)")
    args = parser.parse_args()
    cv2.setRNGSeed(0)
    segmenter = make_segmenter(args.backend)
    (HERE / "masks").mkdir(exist_ok=True)
    registered = json.loads(REGISTERED_FILE.read_text()) if args.cases is not None else {}
    tiles = []
    for definition in load_definitions():
        name = definition["name"]
        if args.cases is not None and name not in args.cases:
            continue
        raw0, middle, raw1 = read_raw_frames(definition)
        exclude = None
        if "truth_masks" in definition:
            union = np.logical_or.reduce(read_truth_masks(definition)).astype(np.uint8)
            exclude = cv2.dilate(union, np.ones((2 * EXCLUDE_PX + 1,) * 2, np.uint8)) > 0
        if definition.get("camera") == "fixed":  # a window of a fixed camera has too few features to register
            reg0, reg1 = (Registration(raw, np.ones(raw.shape[:2], bool), np.eye(3), 0) for raw in (raw0, raw1))
        else:
            reg0, reg1 = register_or_keep(raw0, middle, exclude), register_or_keep(raw1, middle, exclude)
        registered[name] = {
            "homography0": reg0.homography.round(8).tolist(),
            "homography1": reg1.homography.round(8).tolist(),
            "inliers": [reg0.inliers, reg1.inliers],
        }
        if "truth_masks" in definition:
            masks = true_objects(definition, reg0.homography)
        else:
            masks = segment_objects(segmenter, definition, reg0.image, reg1.image)
        clicks = [obj.get("points", []) for obj in definition["objects"]]
        shift = "fixed camera" if np.allclose(reg0.homography, np.eye(3)) else "registered"
        tiles.append(overlay(reg0.image, masks, clicks, f"{name} ({shift}, {segmenter.backend})"))
        print(f"{name}: {shift}, inliers {reg0.inliers}/{reg1.inliers}, mask area "
              f"{', '.join(f'{m.mean():.1%}' for m in masks)}", flush=True)  # fmt: skip
    for definition in load_definitions("sheets") if args.cases is None else []:
        frame0, frame1 = read_raw_frames(definition)
        masks = segment_objects(segmenter, definition, frame0, frame1)
        clicks = [obj["points"] for obj in definition["objects"]]
        tiles.append(overlay(frame0, masks, clicks, f"{definition['name']} ({segmenter.backend})"))
    REGISTERED_FILE.write_text(json.dumps(registered, indent=1) + "\n")
    height = 240
    tiles = [np.array(Image.fromarray(t).resize((round(t.shape[1] * height / t.shape[0]), height))) for t in tiles]
    width = max(t.shape[1] for t in tiles)
    tiles = [np.pad(t, ((0, 0), (0, width - t.shape[1]), (0, 0))) for t in tiles]
    rows = [np.concatenate(tiles[i : i + 3] + [np.zeros_like(tiles[0])] * (3 - len(tiles[i : i + 3])), 1)
            for i in range(0, len(tiles), 3)]  # fmt: skip
    name = "overlays.jpg" if args.cases is None else f"overlays-{args.cases[0]}.jpg"
    Image.fromarray(np.concatenate(rows, 0)).save(HERE / name, quality=85)


if __name__ == "__main__":
    main()
