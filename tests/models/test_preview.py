"""Live preview: right frame at the ends, cache hits for repeated distances, invalidation on edits."""

from __future__ import annotations

import numpy as np
import pytest

from interp.app.preview import ModelPool, PreviewCache, available_models, preview_frame
from interp.app.session import Session, click, set_curve, set_frames
from interp.core.curves import Curve
from interp.models.paths import is_present
from interp.models.registry import get_spec, interpolator_names
from interp.testing.synthetic import make_scene


def _mask_of_scene(scene):
    def segment(img0, img1, clicks, box=None):
        return scene.visible_masks()[0], 1.0

    return segment


@pytest.fixture(scope="module")
def pool() -> ModelPool:
    return ModelPool()


def test_preview_follows_curves_and_caches(pool: ModelPool) -> None:
    scene = make_scene(4, 96, 160, num_objects=1, max_motion=12, background_motion=(0.0, 0.0))
    session, cache = Session(), PreviewCache()
    set_frames(session, scene.frame(0), scene.frame(1))
    x, y = scene.centres()[0]
    click(session, x, y, True, _mask_of_scene(scene))
    set_curve(session, 0, Curve.preset("jump to end"))
    set_curve(session, None, Curve.preset("hold"))

    start = preview_frame(session, cache, pool, "rife-v4", 0.0)
    assert start.shape == (96, 160, 3)
    exact = scene.render([1.0], 0.0).astype(float)
    assert np.abs(start.astype(float) - exact).mean() < 4  # object already at its end position, background held
    again = preview_frame(session, cache, pool, "rife-v4", 0.7)  # same distances at another t: a cache hit
    assert again is start
    assert len(cache.frames) == 1

    set_curve(session, 0, Curve.preset("hold"))
    held = preview_frame(session, cache, pool, "rife-v4", 0.5)
    assert np.abs(held.astype(float) - scene.frame(0).astype(float)).mean() < 1  # everything at d = 0
    version = session.version
    click(session, x + 1, y, True, _mask_of_scene(scene))
    assert session.version != version
    preview_frame(session, cache, pool, "rife-v4", 0.5)
    assert cache.key == (session.version, "rife-v4", 2)
    assert len(cache.frames) == 1  # a new mask invalidated the old frames


def test_available_models_lists_present_weights_only() -> None:
    models = available_models()
    assert "rife-v4" in models
    for name in interpolator_names():
        assert (name in models) == is_present(get_spec(name))


def test_preview_of_an_r_model_follows_the_iterations_as_the_render_does() -> None:
    """DR-RIFE (official layout, random weights): the preview renders with the iterations it is given, as a render of
    the same project would, and caches each count apart (it used to ignore them and always run 2)."""
    from interp.engine.interpolator import Interpolator
    from interp.engine.manipulator import Manipulator, choose_renderer
    from tests.conftest import shared_path

    checkpoint = shared_path("fixtures", "rife-di", "DR-RIFE")
    pool = ModelPool(lambda name: Interpolator.load(name, checkpoint, device="cpu"))
    scene = make_scene(4, 96, 160, num_objects=1, max_motion=12)
    session, cache = Session(), PreviewCache()
    set_frames(session, scene.frame(0), scene.frame(1))
    click(session, *scene.centres()[0], True, _mask_of_scene(scene))
    set_curve(session, 0, Curve.preset("reverse"))
    one = preview_frame(session, cache, pool, "DR-RIFE", 0.3, iters=1)
    three = preview_frame(session, cache, pool, "DR-RIFE", 0.3, iters=3)
    assert np.abs(one.astype(float) - three.astype(float)).max() > 1
    assert np.array_equal(preview_frame(session, cache, pool, "DR-RIFE", 0.3, iters=1), one)
    manipulator = Manipulator(pool.get("DR-RIFE"), iters=3)
    prepared = manipulator.prepare(session.img0, session.img1, [session.objects[0].mask])
    objects = np.array([[float(session.objects[0].curve(0.3))]])
    background = np.array([float(session.background(0.3))])
    renderer = choose_renderer(manipulator.interpolator)  # D / DR models: maps
    rendered = next(manipulator.render(prepared, objects, background, renderer))
    assert np.abs(rendered * 255 - three.astype(float)).max() <= 1  # the render's frame, rounded
    with pytest.raises(ValueError, match="iters"):
        preview_frame(session, cache, pool, "DR-RIFE", 0.3, iters=0)
