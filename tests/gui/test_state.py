"""The Qt-free state objects behind the views: buffers, smoothing, sessions, gallery picking."""
from __future__ import annotations

import math

import numpy as np
import pytest

from studio.state import Event, GalleryState, GrowingArray, Series, TrainingSession


def test_growing_array_doubles_and_keeps_values():
    a = GrowingArray(capacity=2)
    for i in range(1000):
        a.append(i)
    a.extend(np.arange(1000, 1500))
    assert len(a) == 1500 and a.view()[-1] == 1499 and a.view().sum() == sum(range(1500))
    assert len(a._data) == 2048  # grew by doubling, not by one


def test_ema_matches_the_formula_and_skips_nan():
    s = Series("loss")
    s.extend([1, 2, 3, 4], [1.0, math.nan, 3.0, 5.0])
    w = 0.5
    # bias-corrected EMA over the finite values 1, 3, 5; the NaN point repeats the previous value
    expected, avg, norm = [], 0.0, 0.0
    for x in (1.0, None, 3.0, 5.0):
        if x is not None:
            avg, norm = w * avg + (1 - w) * x, w * norm + (1 - w)
        expected.append(avg / norm)
    assert s.smoothed(w) == pytest.approx(expected)
    s.extend([5], [7.0])  # incremental: only the new point is computed
    avg, norm = w * avg + (1 - w) * 7.0, w * norm + (1 - w)
    assert s.smoothed(w)[-1] == pytest.approx(avg / norm)
    assert np.array_equal(s.smoothed(0.0), s.values.view(), equal_nan=True)


@pytest.mark.parametrize("weight", [0.05, 0.6, 0.99])
def test_vectorised_ema_equals_the_plain_loop_over_long_runs(weight):
    rng = np.random.default_rng(1)
    values = rng.normal(size=5000)
    values[[0, 1, 700, 701, 4999]] = np.nan  # leading, inner and trailing gaps
    expected, avg, norm, last = [], 0.0, 0.0, math.nan
    for x in values:
        if not math.isnan(x):
            avg, norm = weight * avg + (1 - weight) * x, weight * norm + (1 - weight)
            last = avg / norm
        expected.append(last)
    s = Series("x")
    s.extend(np.arange(3000), values[:3000])
    s.smoothed(weight)
    s.extend(np.arange(3000, 5000), values[3000:])  # the rest is smoothed incrementally
    assert np.allclose(s.smoothed(weight), expected, equal_nan=True, rtol=1e-9, atol=1e-12)


def test_session_reads_metric_and_event_rows():
    s = TrainingSession(total_steps=100)
    rows = [{"step": 10, "loss_d": 1.0, "loss_g": None, "d_output": "critic", "wall_time": 1.0, "images_per_sec": 5.0},
            {"step": 10, "event": "sample", "path": "samples/step_0000010.png"},
            {"step": 20, "loss_d": 0.5, "loss_g": 2.0, "d_output": "critic", "wall_time": 2.0, "images_per_sec": 7.0},
            {"step": 20, "event": "change", "field": "train.lr_d", "value": 1e-4}]
    s.add_rows(rows)
    assert s.step == 20 and s.d_output == "critic" and s.images_per_sec == 7.0
    assert np.isnan(s.series["loss_g"].values.view()[0]) and s.series["loss_g"].values.view()[1] == 2.0
    assert s.samples == [(10, "samples/step_0000010.png")] and s.changes[0].label == "lr_d=0.0001"
    assert "wall_time" in s.series and "step" not in s.plotted_names()
    assert s.eta_seconds() == pytest.approx(8.0)  # 10 steps per second of training, 80 steps left
    s.add_rows([{"step": 20, "event": "end", "reason": "stopped"}])
    assert s.ended == "stopped" and math.isnan(s.eta_seconds())
    s.truncate_after(10)
    assert list(s.series["loss_d"].steps.view()) == [10] and s.changes == [] and s.ended == ""


def test_eval_rows_become_a_curve_of_the_metric_that_picks_best():
    s = TrainingSession(total_steps=100)
    s.add_rows([{"step": 50, "event": "eval", "eval_metric": "kid", "fid": 30.0, "kid": 0.02},
                {"step": 100, "event": "eval", "eval_metric": "kid", "fid": 20.0, "kid": None},  # NaN: a gap
                {"step": 100, "event": "eval", "modes_covered": 7}])  # an older row: no eval_metric
    kid = s.series["eval_kid"].values.view()
    assert kid[0] == 0.02 and math.isnan(kid[1]) and "eval_fid" not in s.series
    assert list(s.series["eval_modes_covered"].steps.view()) == [100] and "eval_kid" in s.plotted_names()


def _grid(count: int = 16, side: int = 4, pad: int = 2) -> np.ndarray:
    """A make_grid-shaped picture whose sample i is filled with the value i."""
    cols = math.ceil(math.sqrt(count))
    rows = math.ceil(count / cols)
    g = np.zeros((rows * (side + pad) + pad, cols * (side + pad) + pad, 3), np.uint8)
    for i in range(count):
        r, c = divmod(i, cols)
        g[pad + r * (side + pad):pad + r * (side + pad) + side, pad + c * (side + pad):pad + c * (side + pad) + side] = i
    return g


def test_gallery_picks_the_sample_under_the_click():
    g = GalleryState()
    g.configure("/runs/x", {"train": {"seed": 3}, "model": {"latent_dim": 8}, "run": {"grid_size": 16}})
    g.add(0, grid=_grid())
    sel = g.select_at(2 + 2 * 6 + 1, 2 + 1 * 6 + 3)  # column 2, row 1
    assert (sel.row, sel.col, sel.index, sel.seed) == (1, 2, 6, 3)
    assert np.all(g.selected_image() == 6)
    assert g.select_at(0.5, 0.5) is None  # the padding corner belongs to no sample


def test_points_pictures_are_not_grids():
    g = GalleryState()
    g.configure("", {"run": {"grid_size": 64}})
    g.add(0, grid=np.zeros((256, 256, 3), np.uint8))  # a 2-D scatter picture
    assert g.select_at(100, 100) is None


def test_selected_latent_is_the_engines_fixed_noise():
    from gan_backend.tasks import gan

    from studio.state import gallery

    assert gallery.FIXED_SEED_OFFSET == gan.FIXED_SEED_OFFSET
    g = GalleryState()
    g.configure("", {"train": {"seed": 5}, "model": {"latent_dim": 8}, "run": {"grid_size": 16}})
    g.add(0, grid=_grid())
    z = g.select_at(2 + 3 * 6 + 1, 2 + 2 * 6 + 1).latent()  # index 11
    import torch

    from gan_backend.config import ModelConfig

    # What GanTask.make_inputs draws for its fixed noise.
    expected = gan.sample_model_inputs(16, ModelConfig(latent_dim=8),
                                       torch.Generator().manual_seed(5 + gan.FIXED_SEED_OFFSET))[11]
    assert np.allclose(z, expected.numpy())


def test_timeline_follows_the_newest_unless_scrubbed_back():
    g = GalleryState()
    for step in (0, 10, 20):
        g.add(step, grid=_grid())
    assert g.current_step() == 20
    g.set_index(0)
    g.add(30, grid=_grid())
    assert g.current_step() == 0  # the user is looking at step 0: stay there
    g.set_index(3)
    g.add(40, grid=_grid())
    assert g.current_step() == 40


def test_gif_export_has_a_frame_per_snapshot(tmp_path):
    from PIL import Image

    g = GalleryState()
    for step in range(5):
        g.add(step * 10, grid=_grid() + step)
    assert g.export_gif(tmp_path / "t.gif") == 5
    with Image.open(tmp_path / "t.gif") as im:
        assert im.n_frames == 5
    g.export_png(tmp_path / "last.png")
    assert np.array_equal(np.asarray(Image.open(tmp_path / "last.png").convert("RGB")), g.grid())


def test_every_state_object_tells_its_views_through_one_event_type():
    from studio.state.canvas import CanvasDocument
    from studio.state.latent import LatentState

    session, doc, latent = TrainingSession(), CanvasDocument(side=8), LatentState()
    assert all(isinstance(state.changed, Event) for state in (session, doc, latent))
    seen = []
    session.changed.connect(lambda: seen.append("session"))
    doc.changed.connect(lambda box: seen.append(("doc", box)))
    latent.changed.connect(lambda what: seen.append(("latent", what)))
    session.add_rows([{"step": 1, "loss_d": 1.0}])
    doc.clear(2)
    latent.set_label(3)
    assert seen == ["session", ("doc", None), ("latent", "label")]


def test_event_calls_in_connection_order_and_a_callback_may_disconnect_itself():
    event, calls = Event(), []

    def once(x):
        calls.append(("once", x))
        event.disconnect(once)

    event.connect(once)
    event.connect(lambda x: calls.append(("always", x)))
    event.emit(1)
    event.emit(2)
    assert calls == [("once", 1), ("always", 1), ("always", 2)]
    with pytest.raises(ValueError):
        event.disconnect(once)
