"""Segment Anything through the project's loader, proven with a tiny randomly initialised SAM."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from segment_anything import SamPredictor

from interp.errors import InputError, WeightsError
from interp.models.paths import is_present
from interp.models.registry import Kind, get_spec
from interp.testing.synthetic import make_scene
from sam_utils.fallback.segmenter import FallbackSegmenter
from sam_utils.prompts import Backend, Box, Click
from sam_utils.sam import OFFICIAL_ARCHS, SamSegmenter, arch_name, build_sam, infer_arch, load_sam
from sam_utils.segmenter import make_segmenter
from tests.segment.conftest import TINY_ARCH


@pytest.fixture(scope="module")
def frames() -> list[np.ndarray]:
    return [make_scene(seed, 96, 160).frame(0) for seed in (11, 12, 13)]


@pytest.fixture(scope="module")
def sam(tiny_sam_checkpoint: Path) -> SamSegmenter:
    """Shared by the tests that do not count encodings (an encoding takes a second or two on a 2-core CPU)."""
    return SamSegmenter.load(tiny_sam_checkpoint, "sam-vit-b", device="cpu")


@pytest.fixture
def fresh_sam(tiny_sam_checkpoint: Path) -> SamSegmenter:
    return SamSegmenter.load(tiny_sam_checkpoint, "sam-vit-b", device="cpu", cache_size=1)


def _count_encoder_runs(segmenter: SamSegmenter) -> list[int]:
    calls = [0]

    def hook(*_: object) -> None:
        calls[0] += 1

    segmenter.model.image_encoder.register_forward_hook(hook)
    return calls


def test_architecture_is_read_off_the_checkpoint(tiny_sam_checkpoint: Path) -> None:
    model, arch = load_sam(tiny_sam_checkpoint)
    assert arch == TINY_ARCH
    assert arch not in OFFICIAL_ARCHS.values()
    assert model.image_encoder.img_size == 256
    state = torch.load(tiny_sam_checkpoint, map_location="cpu", weights_only=True)
    assert infer_arch(state, tiny_sam_checkpoint).grid == 64


@pytest.mark.parametrize("name", sorted(OFFICIAL_ARCHS))
def test_official_architectures_are_recognised(name: str) -> None:
    """Built on the meta device (shapes only, no memory), each official variant reads back as itself."""
    with torch.device("meta"):
        state = build_sam(OFFICIAL_ARCHS[name]).state_dict()
    arch = infer_arch(state, Path(f"{name}.pth"))
    assert arch == OFFICIAL_ARCHS[name]
    assert arch_name(arch, Path("any.pth")) == name


def test_clicks_give_a_mask_of_the_image_size(sam: SamSegmenter, frames: list[np.ndarray]) -> None:
    image = frames[0]
    result = sam.segment(image, [Click(40, 50), Click(120, 30, positive=False)])
    assert result.backend is Backend.SAM
    assert result.mask.shape == image.shape[:2]
    assert result.mask.dtype == np.bool_
    assert 0.0 <= result.score <= 1.0
    boxed = sam.segment(image, [Click(40, 50)], Box(10, 10, 100, 90))
    assert boxed.mask.shape == image.shape[:2]
    assert "SAM from tiny_sam.pth on cpu" in sam.describe()


def test_a_second_click_does_not_run_the_encoder_again(fresh_sam: SamSegmenter, frames: list[np.ndarray]) -> None:
    sam = fresh_sam
    runs = _count_encoder_runs(sam)
    sam.segment(frames[0], [Click(40, 50)])
    sam.segment(frames[0], [Click(40, 50), Click(70, 60)])
    sam.segment(frames[0].copy(), [Click(10, 10, positive=True)], Box(0, 0, 50, 50))  # same content, new array
    assert runs[0] == 1 == sam.encodings


def test_the_embedding_cache_is_bounded(fresh_sam: SamSegmenter, frames: list[np.ndarray]) -> None:
    """Capacity 1 here (the LRU order itself is tested on ``LRUCache``): a new image evicts the old one."""
    runs = _count_encoder_runs(fresh_sam)
    fresh_sam.prepare(frames[0])
    fresh_sam.prepare(frames[0])
    assert runs[0] == 1
    fresh_sam.prepare(frames[1])
    fresh_sam.prepare(frames[0])
    assert runs[0] == 3


def test_same_answer_as_the_official_predictor(sam: SamSegmenter, frames: list[np.ndarray]) -> None:
    """One click: the best of SAM's three candidates by predicted IoU; several prompts: SAM's single mask."""
    image = frames[0]
    predictor = SamPredictor(sam.model)
    predictor.set_image(image)
    candidates, scores, _ = predictor.predict(np.array([[60.0, 40.0]]), np.array([1]), multimask_output=True)
    result = sam.segment(image, [Click(60, 40)])
    best = int(np.argmax(scores))
    assert result.score == pytest.approx(float(np.clip(scores[best], 0, 1)), abs=1e-5)
    assert np.array_equal(result.mask, candidates[best])

    single, single_scores, _ = predictor.predict(
        np.array([[60.0, 40.0], [20.0, 70.0]]), np.array([1, 0]), box=np.array([5, 5, 120, 90]), multimask_output=False
    )
    result = sam.segment(image, [Click(60, 40), Click(20, 70, positive=False)], Box(5, 5, 120, 90))
    assert np.array_equal(result.mask, single[0])
    assert result.score == pytest.approx(float(np.clip(single_scores[0], 0, 1)), abs=1e-5)


def test_prompt_errors(sam: SamSegmenter, frames: list[np.ndarray]) -> None:
    with pytest.raises(InputError, match="outside the 160x96 image"):
        sam.segment(frames[0], [Click(160, 10)])
    with pytest.raises(InputError, match="at least one positive click"):
        sam.segment(frames[0], [Click(10, 10, positive=False)])
    with pytest.raises(InputError, match="H x W x 3 uint8"):
        sam.segment(frames[0].astype(np.float32), [Click(10, 10)])


def test_loading_errors_name_the_problem(tmp_path: Path, tiny_sam_checkpoint: Path) -> None:
    missing = tmp_path / "none.pth"
    with pytest.raises(WeightsError, match=r"needs its checkpoint 'sam_vit_b_01ec64\.pth'.*none\.pth.*weights fetch"):
        make_segmenter("sam", checkpoint=missing)
    not_sam = tmp_path / "not_sam.pth"
    torch.save({"weight": torch.zeros(3)}, not_sam)
    with pytest.raises(WeightsError, match="not a Segment Anything checkpoint"):
        make_segmenter("sam", checkpoint=not_sam)
    state = torch.load(tiny_sam_checkpoint, map_location="cpu", weights_only=True)
    del state["mask_decoder.iou_token.weight"]
    broken = tmp_path / "broken.pth"
    torch.save(state, broken)
    with pytest.raises(WeightsError, match=r"does not fit a Segment Anything model: 1 missing"):
        make_segmenter("sam", checkpoint=broken)
    with pytest.raises(InputError, match="unknown segmentation backend 'magic'"):
        make_segmenter("magic")
    with pytest.raises(InputError, match="unknown model 'sam-vit-z'"):
        make_segmenter("fallback", sam_model="sam-vit-z")


def test_auto_uses_sam_when_its_official_file_is_found(
    tmp_path: Path, tiny_sam_checkpoint: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(tiny_sam_checkpoint, tmp_path / "sam_vit_b_01ec64.pth")
    monkeypatch.setenv("INTERP_CHECKPOINTS", str(tmp_path))
    segmenter = make_segmenter("auto")
    assert segmenter.backend is Backend.SAM
    assert "sam_vit_b_01ec64.pth" in segmenter.describe()
    assert make_segmenter("fallback").backend is Backend.FALLBACK
    assert make_segmenter("auto", sam_model="sam-vit-l").backend is Backend.FALLBACK  # vit-l's file is not there


def test_auto_falls_back_without_weights(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("INTERP_CHECKPOINTS", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    if is_present(get_spec("sam-vit-b", Kind.SEGMENTER)):
        pytest.skip("the official SAM ViT-B checkpoint is installed in the project")
    segmenter = make_segmenter("auto")
    assert isinstance(segmenter, FallbackSegmenter)
    assert "no Segment Anything weights" in segmenter.describe()
