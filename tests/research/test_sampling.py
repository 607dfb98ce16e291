"""Sampling and augmentation invariants of the training data (the reference recipe)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from interp.errors import InputError
from interp.io.images import read_image
from interp.research.augment import TrainSample, augment, reverse_channels, rotate
from interp.research.dataset import SeptupletTriplets, missing_index_file, read_bgr, to_tensors
from interp.research.distance_index import time_ratio
from interp.research.groundtruth import exact_flow, make_septuplet
from interp.research.indexer import IndexOptions, index_septuplet
from interp.research.maps import MapOptions
from interp.research.recipe import VARIANTS, FrameChoice, choose_frames, condition_sources, get_variant
from interp.research.vimeo import Septuplet, list_septuplets, split_validation
from tests.research.conftest import write_septuplet


def test_frame_choice_follows_the_reference() -> None:
    rng = np.random.default_rng(0)
    draws = [choose_frames(rng, recurrent=True) for _ in range(4000)]
    for c in draws:
        low, high = min(c.img0, c.img1), max(c.img0, c.img1)
        assert low < c.gt < high  # the ground truth lies strictly between the inputs
        assert low <= c.current <= high  # the current frame anywhere between them, ends included
    reversed_share = np.mean([c.reversed for c in draws])
    assert 0.45 < reversed_share < 0.55
    assert {c.current for c in draws if c.current in (c.img0, c.img1)}  # the ends do occur
    pairs = Counter((min(c.img0, c.img1), max(c.img0, c.img1)) for c in draws)
    assert len(pairs) == 15  # every (a, c) with c - a >= 2 in 0..6, ...
    assert pairs[0, 6] > 4 * pairs[0, 2]  # ... weighted by the number of frames between them (5 vs 1)
    plain = [choose_frames(rng, recurrent=False, allow_reverse=False) for _ in range(200)]
    assert all(c.current is None and not c.reversed for c in plain)


def test_condition_maps_per_variant() -> None:
    forward, backward = FrameChoice(1, 3, 6, current=1), FrameChoice(6, 3, 1, current=4)
    assert condition_sources(forward, VARIANTS["T"]) == [pytest.approx(0.4)]
    assert condition_sources(backward, VARIANTS["T"]) == [pytest.approx(0.6)]  # 1 - t when time runs backwards
    assert condition_sources(forward, VARIANTS["D"]) == [(1, 3, 6)]
    assert condition_sources(backward, VARIANTS["D"]) == [(6, 3, 1)]
    assert condition_sources(forward, VARIANTS["DR"]) == [(1, 3, 6), 0.0]  # current is the first input
    assert condition_sources(backward, VARIANTS["DR"]) == [(6, 3, 1), (6, 4, 1)]
    assert condition_sources(FrameChoice(0, 2, 5, current=5), VARIANTS["TR"]) == [pytest.approx(0.4), 1.0]
    assert get_variant("dr") is VARIANTS["DR"]
    with pytest.raises(InputError, match="unknown variant"):
        get_variant("X")


def _coded_sample(height: int, width: int, recurrent: bool) -> TrainSample:
    """Grey images whose value encodes the position, and a map that holds the same code."""
    code = (np.arange(height * width).reshape(height, width) % 251).astype(np.uint8)
    grey = np.repeat(code[..., None], 3, axis=2)
    maps = np.stack([code / 255.0, 1 - code / 255.0], axis=-1).astype(np.float32)
    return TrainSample(grey, grey + 1, grey + 2, maps if recurrent else maps[..., :1], grey + 3 if recurrent else None)


@pytest.mark.parametrize(("crop", "recurrent"), [((64, 64), True), ((32, 96), False)])
def test_augmentation_moves_images_and_maps_together(crop: tuple[int, int], recurrent: bool) -> None:
    rng = np.random.default_rng(1)
    source = _coded_sample(128, 160, recurrent)
    for _ in range(40):
        out = augment(source, crop, rng)
        assert out.img0.shape == (*crop, 3)
        assert out.maps.shape == (*crop, 2 if recurrent else 1)
        assert out.img0.flags.c_contiguous
        code = out.img0[..., 0]
        np.testing.assert_allclose(out.maps[..., 0], code / 255.0, atol=1e-6)
        for image, offset in ((out.img1, 1), (out.gt, 2), (out.current, 3)):
            if image is not None:
                np.testing.assert_array_equal(image[..., 1], code + offset)


def test_channel_reversal_and_rotation() -> None:
    rng = np.random.default_rng(2)
    colour = rng.integers(0, 255, (4, 6, 3), dtype=np.uint8)
    sample = TrainSample(colour, colour, colour, np.zeros((4, 6, 1), np.float32), colour)
    swapped = reverse_channels(sample)
    np.testing.assert_array_equal(swapped.img0, colour[..., ::-1])
    np.testing.assert_array_equal(swapped.current, colour[..., ::-1])
    assert rotate(sample, 1).img0.shape == (6, 4, 3)
    np.testing.assert_array_equal(rotate(rotate(sample, 1), -1).img0, colour)


@pytest.fixture
def exact_dataset(tmp_path: Path) -> tuple[Path, object]:
    """A synthetic septuplet on disk with full-resolution maps from exact flows."""
    scene = make_septuplet(seed=5, height=64, width=96)
    folder = write_septuplet(tmp_path / "seq", scene.frames)

    class Exact:
        name = "exact"

        def flows(self, frames, pairs):
            return {(a, b): exact_flow(scene, a, b) for a, b in pairs}

    index_septuplet(Septuplet("seq", folder), Exact(), IndexOptions(downsample=1, motion_prior=0.0))
    return tmp_path, scene


def test_reversal_swaps_frames_and_maps_d_to_one_minus_d(exact_dataset) -> None:
    root, scene = exact_dataset
    dataset = SeptupletTriplets(list_septuplets(root), VARIANTS["DR"], crop=None, map_options=MapOptions(blur=0))
    forward = dataset.load(dataset.septuplets[0], FrameChoice(0, 2, 6, current=4))
    backward = dataset.load(dataset.septuplets[0], FrameChoice(6, 2, 0, current=4))
    np.testing.assert_array_equal(backward.img0, forward.img1)  # frames swap ...
    np.testing.assert_array_equal(backward.img1, forward.img0)
    np.testing.assert_array_equal(backward.gt, forward.gt)
    np.testing.assert_array_equal(forward.img0, read_image(root / "seq/im1.png")[..., ::-1])  # ... and are BGR
    for layer in (-1, 0, 1, 2):  # ... and each layer's D becomes 1 - D, on the grid of the new first frame
        here_0, here_6 = scene.layers[0] == layer, scene.layers[6] == layer
        if here_0.any() and here_6.any():
            for channel in (0, 1):
                assert np.median(backward.maps[..., channel][here_6]) == pytest.approx(
                    1 - np.median(forward.maps[..., channel][here_0]), abs=2e-3
                )


def test_dataset_items_per_variant(exact_dataset) -> None:
    root, _ = exact_dataset
    for name, channels in (("T", 1), ("D", 1), ("TR", 2), ("DR", 2)):
        dataset = SeptupletTriplets(list_septuplets(root), VARIANTS[name], crop=(32, 64))
        item = dataset[0]
        assert item["images"].shape == (9, 32, 64)
        assert str(item["images"].dtype) == "torch.uint8"
        assert item["maps"].shape == (channels, 32, 64)
        assert ("current" in item) == name.endswith("R")
        assert float(item["maps"].min()) >= 0.0
        assert float(item["maps"].max()) <= 1.0


def test_missing_index_files_are_named_with_the_command(tmp_path: Path) -> None:
    write_septuplet(tmp_path / "seq", make_septuplet(seed=6, height=64, width=96).frames)
    septuplets = list_septuplets(tmp_path)
    assert missing_index_file(septuplets) == tmp_path / "seq" / "dis_index_0_1_2.npy"
    dataset = SeptupletTriplets(septuplets, VARIANTS["D"], crop=None, root=tmp_path)
    with pytest.raises(InputError, match=r"dis_index_0_3_6\.npy.*python -m interp dataset index --root"):
        dataset.load(septuplets[0], FrameChoice(0, 3, 6))
    t_sample = SeptupletTriplets(septuplets, VARIANTS["T"], crop=None).load(septuplets[0], FrameChoice(0, 3, 6))
    np.testing.assert_array_equal(t_sample.maps, time_ratio(0, 3, 6))


def test_layouts_lists_and_validation_split(tmp_path: Path) -> None:
    frames = make_septuplet(seed=7, height=32, width=32).frames
    for name in ("00001/0001", "00001/0002", "00002/0001"):
        write_septuplet(tmp_path / "sequences" / name, frames)
    (tmp_path / "sep_trainlist.txt").write_text("00001/0001\n00001/0002\n")
    (tmp_path / "sep_testlist.txt").write_text("00002/0001\n")
    train = list_septuplets(tmp_path, ["sep_trainlist.txt"])
    assert [s.name for s in train] == ["00001/0001", "00001/0002"]
    assert train[0].frame(0) == tmp_path / "sequences/00001/0001/im1.png"
    assert len(list_septuplets(tmp_path / "sequences")) == 3  # flat discovery works at any depth
    assert split_validation(train, 1) == (train[:1], train[1:])
    with pytest.raises(InputError, match="cannot hold out"):
        split_validation(train, 2)
    (tmp_path / "bad.txt").write_text("00009/0001\n")
    with pytest.raises(InputError, match="do not exist"):
        list_septuplets(tmp_path, ["bad.txt"])
    with pytest.raises(InputError, match="cannot read image"):
        read_bgr(tmp_path / "none.png")


def test_items_become_tensors_channels_first() -> None:
    sample = _coded_sample(32, 64, recurrent=True)
    item = to_tensors(sample)
    assert item["images"].shape == (9, 32, 64)
    assert item["current"].shape == (3, 32, 64)
