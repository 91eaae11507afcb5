"""D's input augmentation (train.augment): DiffAugment's and ADA's ops, ADA's p, resume, every task kind."""
import math
import numpy as np
import pytest
import torch

from gan_backend.augment import (ADA_POLICY, AUTO_ADA_BELOW, OPS, AdaController, DiscriminatorAugment, Draws,
                                 Pipeline, resolve_mode)
from gan_backend.config import TrainConfig
from gan_backend.engine.loop import Trainer
from gan_backend.engine.reports import RunEnded, TrainReport
from gan_backend.engine.run_dir import RunDir
from tests.backend.helpers import TINY_ARGS, gs, last_error, tiny_config

CPU = torch.device("cpu")
NO_COLOUR = "xflip,rotate90,xint,scale,rotate,translation,cutout"


def composed(names, shape, p=1.0, seed=0):
    """One fixed draw of a policy as a plain function of x (so gradcheck sees a deterministic function)."""
    torch.manual_seed(seed)
    plan = Pipeline(names).plan(shape, CPU, p)
    return lambda x: plan([x])[0][0]


@pytest.mark.parametrize("name", OPS.names())
def test_every_op_keeps_shape_and_range_and_passes_gradients(name):
    for channels in (3, 1):
        x = torch.rand(4, channels, 12, 12, dtype=torch.float64) * 2 - 1
        y = composed([name], x.shape)(x)
        assert y.shape == x.shape and y.dtype == x.dtype
        assert y.min() >= -1 and y.max() <= 1 and not torch.equal(y, x)  # p = 1: every picture changed
    small = (torch.rand(2, 3, 6, 6, dtype=torch.float64) * 0.2 - 0.1).requires_grad_(True)  # clear of the clamp
    assert torch.autograd.gradcheck(composed([name], small.shape, seed=1), (small,))


def test_whole_pipelines_pass_gradients_to_the_input():
    x = (torch.rand(2, 3, 6, 6, dtype=torch.float64) * 0.2 - 0.1).requires_grad_(True)
    for policy in ("color,translation,cutout", ADA_POLICY):
        assert torch.autograd.gradcheck(composed(policy, x.shape, seed=2), (x,))
    # At a small p on the CPU the pipeline picks out the pictures some op fired for and puts them back.
    x = (torch.rand(6, 3, 6, 6, dtype=torch.float64) * 0.2 - 0.1).requires_grad_(True)
    torch.manual_seed(8)
    plan = Pipeline(ADA_POLICY).plan(x.shape, CPU, 0.05)
    assert plan.rows is not None and 0 < len(plan.rows) < len(x)
    assert torch.autograd.gradcheck(lambda t: plan([t])[0][0], (x,))


def test_a_pair_gets_the_same_transform_and_maps_get_no_colour():
    torch.manual_seed(0)
    a = torch.rand(6, 3, 16, 16) * 2 - 1
    (p1, p2), (m,) = Pipeline(ADA_POLICY + ",color,translation")([a, a.clone()], [a.clone()], p=1.0)
    assert torch.equal(p1, p2) and not torch.equal(p1, a)
    (p1,), (m,) = Pipeline(NO_COLOUR)([a], [a.clone()], p=1.0)
    assert torch.equal(p1, m) and not torch.equal(p1, a)  # geometry and cutout: the same on the map
    (p1,), (m,) = Pipeline("color,brightness,contrast,hue,saturation")([a], [a.clone()], p=1.0)
    assert torch.equal(m, a) and not torch.equal(p1, a)  # colour: on the picture only


def test_p_zero_changes_nothing_and_draws_nothing():
    a = torch.rand(4, 3, 8, 8) * 2 - 1
    state = torch.get_rng_state()
    assert torch.equal(Pipeline(ADA_POLICY)([a], p=0.0)[0][0], a)
    assert torch.equal(torch.get_rng_state(), state)


def test_working_on_the_fired_pictures_only_gives_the_same_pictures_as_masking_all():
    """On the CPU a pipeline transforms only the pictures some op fired for and skips the ops that fired for
    none; masking the whole batch (as on a GPU) gives the same pictures from the same draws."""
    a = torch.rand(32, 3, 16, 16) * 2 - 1
    policy = ADA_POLICY + ",color,translation"
    for p in (0.02, 0.1):
        sparse, masked = Pipeline(policy), Pipeline(policy)
        masked.sparse = False
        torch.manual_seed(7)
        x, after_sparse = sparse([a], p=p)[0][0], torch.get_rng_state()
        torch.manual_seed(7)
        y = masked([a], p=p)[0][0]
        untouched = (x == a).flatten(1).all(1)
        assert torch.equal(x, y) and 0 < untouched.sum() < len(a), p
        assert torch.equal(after_sparse, torch.get_rng_state())  # the same draws, whatever fired


def test_each_batch_gets_the_transforms_a_call_of_its_own_would():
    """D's reals and fakes go through one pass (one draw, one warp) but come out as two separate calls give them."""
    reals, fakes = torch.rand(6, 3, 16, 16) * 2 - 1, torch.rand(6, 3, 16, 16) * 2 - 1
    for policy, p in ((ADA_POLICY, 0.3), ("color,translation,cutout", 1.0)):
        torch.manual_seed(3)
        apart = [Pipeline(policy)([t], p=p)[0][0] for t in (reals, fakes)]
        torch.manual_seed(3)
        joined = Pipeline(policy).each([reals, fakes], p=p)
        assert all(torch.equal(a, b) for a, b in zip(apart, joined)) and not torch.equal(joined[0], reals)


def test_ranks_draw_their_rows_of_the_global_batch():
    """N processes augment their slices as one process augments the global batch (like the noise)."""
    a = torch.rand(8, 3, 16, 16) * 2 - 1
    torch.manual_seed(5)
    whole = Pipeline(ADA_POLICY)([a], p=0.7)[0][0]
    for rank in (0, 1):
        torch.manual_seed(5)
        part = Pipeline(ADA_POLICY, rank=rank, world=2)([a[rank * 4:(rank + 1) * 4]], p=0.7)[0][0]
        assert torch.equal(part, whole[rank * 4:(rank + 1) * 4])
    torch.manual_seed(1)
    assert torch.equal(Draws(4, CPU, rank=1, world=2).uniform(2), (torch.manual_seed(1), torch.rand(8, 2))[1][4:])


def test_unknown_op_or_mode_names_the_valid_ones():
    with pytest.raises(KeyError) as err:
        Pipeline("color,sharpen")
    assert "'sharpen'" in str(err.value) and "translation" in str(err.value) and "cutout" in str(err.value)
    with pytest.raises(ValueError, match="diffaug"):
        resolve_mode(TrainConfig(augment="strong"), _Data("image", 10))


class _Data:
    def __init__(self, kind, n):
        self.kind, self.n = kind, n

    def __len__(self):
        return self.n


def test_auto_is_ada_for_small_picture_sets_only():
    auto = TrainConfig()
    assert auto.augment == "auto"
    assert resolve_mode(auto, _Data("image", 500)) == ("ada", "")
    assert resolve_mode(auto, _Data("paired", 500)) == ("ada", "")
    assert resolve_mode(auto, _Data("image", AUTO_ADA_BELOW)) == ("none", "")
    assert resolve_mode(auto, _Data("points", 500)) == ("none", "")  # no pictures: no notice either
    # CycleGAN: each D by the domain it judges, which may be the large one
    assert resolve_mode(auto, _Data("unpaired", 500), count=AUTO_ADA_BELOW) == ("none", "")
    assert resolve_mode(auto, _Data("unpaired", AUTO_ADA_BELOW), count=500) == ("ada", "")
    mode, notice = resolve_mode(TrainConfig(augment="ada"), _Data("points", 500))
    assert mode == "none" and "not applied to points" in notice


@pytest.mark.parametrize("name", ["glyphs", "shapes"])
def test_the_built_in_picture_sets_train_as_before_augmentation_existed(name):
    """`train --dataset glyphs` with the defaults: auto leaves the 20,000-picture built-ins unaugmented."""
    from gan_backend.data import open_dataset

    assert resolve_mode(TrainConfig(), open_dataset(name)) == ("none", "")


def test_ada_p_rises_for_an_overfitting_d_and_falls_for_a_healthy_one():
    train = TrainConfig(augment="ada", batch_size=16, ada_kimg=1.0)
    aug = DiscriminatorAugment(train, _Data("image", 100), CPU)
    overfit = lambda x: x.abs().mean((1, 2, 3)) + 1  # always sure the reals are real  # noqa: E731
    reals = torch.rand(16, 3, 8, 8) * 2 - 1
    for _ in range(40):
        stats = aug.observe(overfit(aug(reals)))
    assert float(stats["aug_rt"]) == 1.0
    assert aug.p == pytest.approx(10 * 16 * 4 / 1000)  # 10 intervals of 4 steps at the paper's speed for kimg=1
    torch.manual_seed(0)
    for _ in range(40):  # healthy: sign(D(x)) averages ~0, well under the 0.6 target
        stats = aug.observe(torch.randn(16))
    assert aug.p == pytest.approx(0.0, abs=1e-12) and abs(aug.ada.rt) < 0.6


def test_ada_paper_speed_and_mid_interval_state_round_trip():
    ada = AdaController(0.6, batch_size=64, kimg=500)
    assert ada.step_size * (500_000 / (64 * 4)) == pytest.approx(1.0)  # 0 -> 1 in 500k images
    for _ in range(6):
        ada.observe(torch.ones(4))
    again = AdaController(0.6, batch_size=64, kimg=500)
    again.load_state_dict(ada.state_dict(), CPU)
    for _ in range(2):
        ada.observe(-torch.ones(4)), again.observe(-torch.ones(4))
    assert again.p == ada.p and again.rt == ada.rt == 0.0


@pytest.mark.slow  # 400 tiny DCGAN steps: ~30 s on an idle 2-core CPU
def test_resume_with_augmentation_equals_straight_run(tmp_path):
    """200 steps straight == 100 + resume + 100 with ADA on (fast p, so p moves and matters)."""
    sets = dict(run__checkpoint_every=1000, run__sample_every=1000, train__augment="ada", train__ada_kimg=0.5,
                run__log_every=20)
    run_all = lambda t: list(t.run())  # noqa: E731
    run_all(Trainer.new(tiny_config(tmp_path / "a", steps=200, **sets)))
    run_all(Trainer.new(tiny_config(tmp_path / "b", steps=100, **sets)))
    run_all(Trainer.resume(tmp_path / "b", steps=200))
    a = {r["step"]: r for r in RunDir(tmp_path / "a").read_metrics() if "loss_d" in r}
    b = {r["step"]: r for r in RunDir(tmp_path / "b").read_metrics() if "loss_d" in r}
    assert sorted(a) == sorted(b) and max(a) == 200
    assert a[200]["aug_p"] > 0  # augmentation was really on
    diff = max(abs(a[s][k] - b[s][k]) for s in a for k in ("loss_d", "loss_g", "d_real", "aug_p", "aug_rt"))
    assert diff <= 1e-6


@pytest.mark.parametrize("mode", ["none", "diffaug", "ada", "auto"])
def test_short_runs_finish_with_finite_losses(tmp_path, mode):
    cfg = tiny_config(tmp_path / "run", steps=8, train__augment=mode, train__ada_kimg=0.1, run__log_every=4)
    items = list(Trainer.new(cfg).run())
    reports = [i for i in items if isinstance(i, TrainReport)]
    assert isinstance(items[-1], RunEnded) and items[-1].reason == "done"
    assert all(math.isfinite(v) for r in reports for v in r.losses.values())
    rows = [r for r in RunDir(tmp_path / "run").read_metrics() if "loss_d" in r]
    assert ("aug_p" in rows[-1]) == (mode in ("ada", "auto"))  # glyphs n=512: auto is ada
    if "aug_p" in rows[-1]:
        assert 0 <= rows[-1]["aug_p"] <= 1 and -1 <= rows[-1]["aug_rt"] <= 1


@pytest.mark.parametrize("model,dataset,mode", [("cdcgan", "glyphs", "ada"), ("spade", "scenes", "diffaug"),
                                                ("pix2pix", "scenes", "ada")])
def test_conditional_and_paired_tasks_train_with_augmentation(tmp_path, model, dataset, mode):
    cfg = tiny_config(tmp_path / "run", dataset=dataset, model=model, steps=4, data__n=32, data__image_size=32,
                      train__batch_size=8, model__width=4, run__log_every=2, train__augment=mode, train__ada_kimg=0.01)
    items = list(Trainer.new(cfg).run())
    assert isinstance(items[-1], RunEnded) and items[-1].reason == "done", items[-1].message
    assert all(np.isfinite(v) for r in items if isinstance(r, TrainReport) for v in r.losses.values())


def unpaired_config(path, steps, **sets):
    """A tiny CycleGAN run on day2night at 32 px: 8 pictures a domain, batches of 2."""
    return tiny_config(path, dataset="scenes:day2night", model="cyclegan", steps=steps, data__n=8, data__image_size=32,
                       train__batch_size=2, model__width=4, run__log_every=2, run__checkpoint_every=1000, **sets)


@pytest.mark.parametrize("mode", ["diffaug", "ada"])
def test_unpaired_task_trains_with_augmentation_and_logs_each_ds_p(tmp_path, mode):
    cfg = unpaired_config(tmp_path / "run", steps=4, train__augment=mode, train__ada_kimg=0.01)
    items = list(Trainer.new(cfg).run())
    assert items[-1].reason == "done", items[-1].message
    assert all(math.isfinite(v) for r in items if isinstance(r, TrainReport) for v in r.losses.values())
    rows = RunDir(tmp_path / "run").read_metrics()
    assert not [r for r in rows if r.get("event") == "notice" and "augment" in r["message"]]
    last = [r for r in rows if "loss_d" in r][-1]
    keys = {"aug_p_A", "aug_rt_A", "aug_p_B", "aug_rt_B"}
    assert keys <= set(last) if mode == "ada" else not keys & set(last)


def test_each_cyclegan_d_sees_augmented_reals_and_fakes_with_gradients_to_g(tmp_path):
    task = Trainer.new(unpaired_config(tmp_path / "run", steps=1, train__augment="diffaug")).task
    seen = {"D_A": [], "D_B": []}
    for name in seen:
        getattr(task, name).register_forward_pre_hook(lambda _m, args, name=name: seen[name].append(args[0]))
    torch.manual_seed(0)
    batch = {"x": torch.rand(2, 3, 32, 32) * 2 - 1, "b": torch.rand(2, 3, 32, 32) * 2 - 1}
    task.d_step(batch, measure=False)
    (real_b, _), (real_a, _) = seen["D_A"], seen["D_B"]
    assert real_b.shape == batch["b"].shape and not torch.equal(real_b, batch["b"])  # D_A judges B pictures
    assert not torch.equal(real_a, batch["x"])
    fakes = [f.detach().clone() for f in task._fakes]  # G_A(a), G_B(b), kept for the G step
    for d in seen.values():
        d.clear()
    task.g_step(batch, measure=False)
    for judged, fake in zip((seen["D_A"][0], seen["D_B"][0]), fakes):
        assert judged.requires_grad and not torch.equal(judged.detach(), fake)  # augmented, with G's graph


def test_unpaired_resume_restores_each_ds_p_exactly(tmp_path):
    """8 steps straight == 4 + resume + 4, with p rising every interval (a target no r_t is under)."""
    sets = dict(train__augment="ada", train__ada_kimg=0.1, train__ada_target=-2.0)
    list(Trainer.new(unpaired_config(tmp_path / "a", steps=8, **sets)).run())
    list(Trainer.new(unpaired_config(tmp_path / "b", steps=4, **sets)).run())
    list(Trainer.resume(tmp_path / "b", steps=8).run())
    a = {r["step"]: r for r in RunDir(tmp_path / "a").read_metrics() if "loss_d" in r}
    b = {r["step"]: r for r in RunDir(tmp_path / "b").read_metrics() if "loss_d" in r}
    assert sorted(a) == sorted(b) == [2, 4, 6, 8]
    assert a[6]["aug_p_A"] == a[6]["aug_p_B"] == pytest.approx(0.08)  # one interval of 4 steps: 2 * 4 / 100
    keys = ("loss_d", "loss_g", "aug_p_A", "aug_rt_A", "aug_p_B", "aug_rt_B")
    assert max(abs(a[s][k] - b[s][k]) for s in a for k in keys) <= 1e-6


def test_a_misspelt_op_stops_the_cli_before_training(tmp_path, capsys):
    code = gs("train", "--run-dir", tmp_path / "run", "--steps", 2, *TINY_ARGS, "--set", "train.augment=diffaug",
              "--set", "train.augment_policy=color,sharpen")
    assert code != 0 and not (tmp_path / "run").exists()
    message = last_error(capsys)
    assert "'sharpen'" in message and "translation" in message
