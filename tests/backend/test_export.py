"""Exported generators reproduce the checkpoint's images and carry what a user needs to feed them."""
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from gan_backend.config import Config
from gan_backend.engine.loop import Trainer
from gan_backend.export import ExportError, check_exportable, export_generator, read_metadata
from gan_backend.generator import load_generator
from gan_backend.loader import Checkpoint
from tests.backend.helpers import tiny_config

RUNS = {  # name: (model, dataset, extra config): every noise-to-image model, conditional and not
    "dcgan": ("dcgan", "glyphs", {}),
    "cdcgan": ("cdcgan", "glyphs", {}),
    "mlp_conditional": ("mlp", "glyphs", {"model__conditional": True}),
    "sngan": ("sngan", "shapes", {"model__latent_prior": "uniform"}),
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    for name, (model, dataset, sets) in RUNS.items():
        list(Trainer.new(tiny_config(root / name, dataset=dataset, model=model, steps=2, **sets)).run())
    return root


def reference(run, n=5, seed=11):
    """G_ema's images for fresh latents (another seed and batch size than the export's own check)."""
    gen = load_generator(run)
    z = gen.latents(n, seed)
    labels = torch.arange(n) % gen.num_classes if gen.num_classes else None
    with torch.no_grad():
        return (z, labels), gen.net(z, labels).numpy(), gen


@pytest.mark.filterwarnings("ignore:`torch.jit.load` is deprecated:FutureWarning")
@pytest.mark.parametrize("name", list(RUNS))
def test_torchscript_file_reproduces_the_checkpoint(runs, tmp_path, name):
    out = tmp_path / f"{name}.pt"
    result = export_generator(runs / name, "torchscript", out)
    assert result.max_difference <= 1e-4 and result.checked_with == "torch.jit"
    extra = {"gan_studio.json": ""}
    module = torch.jit.load(str(out), _extra_files=extra)  # plain torch: no GAN Studio class needed
    meta = json.loads(extra["gan_studio.json"])
    (z, labels), expected, gen = reference(runs / name)
    assert meta["latent_dim"] == gen.latent_dim == z.shape[1] and meta["latent_prior"] == gen.cfg.model.latent_prior
    assert meta["num_classes"] == gen.num_classes and len(meta["class_names"]) == gen.num_classes
    assert meta["image_shape"] == list(expected.shape[1:]) and meta["image_range"] == "-1..1"
    assert meta["model"] == RUNS[name][0] and meta["step"] == 2 and meta["network"] == "G_ema"
    with torch.no_grad():
        got = module(z, labels) if labels is not None else module(z)
    assert np.abs(got.numpy() - expected).max() <= 1e-4
    assert read_metadata(out) == meta


@pytest.mark.parametrize("name", ["dcgan", "cdcgan"])
def test_onnx_file_reproduces_the_checkpoint(runs, tmp_path, name):
    onnx = pytest.importorskip("onnx")
    out = tmp_path / f"{name}.onnx"
    result = export_generator(runs / name, "onnx", out)
    assert result.max_difference <= 1e-4
    model = onnx.load(str(out))
    props = {p.key: p.value for p in model.metadata_props}
    meta = json.loads(props["gan_studio.json"])
    assert props["latent_prior"] == meta["latent_prior"] and json.loads(props["latent_dim"]) == meta["latent_dim"]
    (z, labels), expected, _ = reference(runs / name)
    feeds = {"z": z.numpy(), **({"labels": labels.numpy()} if labels is not None else {})}
    if importlib.util.find_spec("onnxruntime"):
        import onnxruntime

        got = onnxruntime.InferenceSession(str(out), providers=["CPUExecutionProvider"]).run(None, feeds)[0]
    else:
        from onnx.reference import ReferenceEvaluator

        got = ReferenceEvaluator(model).run(None, feeds)[0]
    assert got.shape == expected.shape and np.abs(got - expected).max() <= 1e-4


def test_onnx_without_onnx_says_how_to_install(runs, tmp_path, monkeypatch):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "onnx" else real_find_spec(name, *a))
    with pytest.raises(ExportError, match="pip install onnx"):
        export_generator(runs / "dcgan", "onnx", tmp_path / "g.onnx")
    assert not (tmp_path / "g.onnx").exists()


def test_a_points_run_is_refused(tmp_path):
    run = tmp_path / "points"
    list(Trainer.new(tiny_config(run, dataset="toy2d:ring8", model="mlp", steps=2)).run())
    with pytest.raises(ExportError, match="noise-to-image"):
        export_generator(run, "torchscript", tmp_path / "g.pt")
    assert not (tmp_path / "g.pt").exists()


@pytest.mark.parametrize("task,model", [("paired", "spade"), ("unpaired", "cyclegan")])
def test_picture_to_picture_runs_are_refused(task, model):
    ck = Checkpoint(Path("run/checkpoints/last.pt"), "run", {"meta": {"task": task, "model": model, "data_kind": task}},
                    Config())
    with pytest.raises(ExportError, match=f"a {task} {model} run translates pictures; export supports noise-to-image"):
        check_exportable(ck)
