"""A trained noise-to-image generator as one file that needs no GAN Studio: TorchScript or ONNX.

    result = export_generator("runs/glyphs", "torchscript", "glyphs_g.pt")
    result.max_difference       # the file vs the checkpoint on CHECK_LATENTS fixed latents

The file holds G_ema (G when the run kept no EMA) with inputs ``z`` float [B, latent_dim] (and ``labels``
int64 [B] for a conditional run) and output ``images`` float [B, C, H, W] in -1..1, plus the metadata of
:func:`export_metadata`: in ``_extra_files["gan_studio.json"]`` (TorchScript) or metadata_props (ONNX).
"""
from __future__ import annotations

import contextlib
import importlib.util
import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from gan_backend.loader import Checkpoint, open_checkpoint
from gan_backend.models.inputs import sample_model_inputs

FORMATS = ("torchscript", "onnx")
METADATA_FILE = "gan_studio.json"  # TorchScript: the extra file; ONNX: the metadata_props key
CHECK_LATENTS, CHECK_SEED = 16, 0  # fixed noise the exported file is checked on
TOLERANCE = 1e-4  # max abs difference (images are in -1..1) the exported file may show
ONNX_OPSET = 17


class ExportError(ValueError):
    """A run that cannot be exported (not a noise-to-image generator), or a missing optional package."""


@dataclass
class ExportResult:
    path: Path
    fmt: str
    metadata: dict
    max_difference: float  # exported file vs checkpoint, on CHECK_LATENTS fixed latents
    checked_with: str  # what ran the exported file: torch.jit, onnxruntime or onnx.reference


def export_generator(source: str | Path, fmt: str, out: str | Path) -> ExportResult:
    """Write ``source``'s generator (a run directory or checkpoint file) to ``out`` and check it reproduces
    the checkpoint's images; ExportError when it cannot, or when the file differs by more than TOLERANCE."""
    if fmt not in FORMATS:
        raise ExportError(f"--format {fmt!r}: choose {' or '.join(FORMATS)}")
    if fmt == "onnx" and importlib.util.find_spec("onnx") is None:
        raise ExportError("exporting to ONNX needs the onnx package: pip install onnx (onnxruntime to run the file)")
    ck = open_checkpoint(source)
    check_exportable(ck)
    net, meta = _Sampler(ck.network(), ck.num_classes).eval(), export_metadata(ck)
    inputs = fixed_inputs(ck)
    with torch.no_grad():
        expected = net(*inputs).numpy()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write, run = (_write_torchscript, _run_torchscript) if fmt == "torchscript" else (_write_onnx, _run_onnx)
    write(net, inputs, meta, out)
    actual, checked_with = run(out, inputs)
    difference = float(np.abs(actual - expected).max())
    if not difference <= TOLERANCE:
        out.unlink(missing_ok=True)
        raise ExportError(f"{out}: the exported {fmt} generator differs from {ck.path} by {difference:.3g} "
                          f"(> {TOLERANCE:g}) on fixed latents; removed it. Please report this model")
    return ExportResult(out, fmt, meta, difference, checked_with)


def check_exportable(ck: Checkpoint) -> None:
    """Noise-to-image runs only: a paired or unpaired run translates pictures, a points run draws no images."""
    if ck.task in ("paired", "unpaired"):
        what = f"a {ck.task} {ck.model} run translates pictures"
    elif ck.data_kind != "image" or ck.task not in ("unconditional", "conditional"):
        what = f"a {ck.model} run on {ck.data_kind} data draws no images"
    else:
        return
    raise ExportError(f"{ck.path}: {what}; export supports noise-to-image generators "
                      f"(dcgan, cdcgan, sngan, mlp trained on images)")


def export_metadata(ck: Checkpoint) -> dict:
    """What a user of the exported file needs to feed it and read its output."""
    modules = ck.state.get("modules", {})
    return {"format": "gan_studio.generator/1", "model": ck.model, "network": "G_ema" if "G_ema" in modules else "G",
            "step": ck.step, "source_run": str(ck.source), "dataset": ck.cfg.data.dataset,
            "latent_dim": ck.latent_dim, "latent_prior": ck.latent_prior,  # normal: N(0, I); uniform: U[-1, 1]
            "num_classes": ck.num_classes, "class_names": ck.class_names if ck.num_classes else [],
            "image_shape": list(ck.shape), "image_range": "-1..1",
            "inputs": ["z"] + (["labels"] if ck.num_classes else []), "outputs": ["images"]}


def fixed_inputs(ck: Checkpoint) -> tuple[torch.Tensor, ...]:
    """CHECK_LATENTS latents from the run's prior (and labels cycling through the classes)."""
    z = sample_model_inputs(CHECK_LATENTS, ck.cfg.model, torch.Generator().manual_seed(CHECK_SEED))
    return (z, torch.arange(CHECK_LATENTS) % ck.num_classes) if ck.num_classes else (z,)


class _Sampler(nn.Module):
    """G with the exported signature: (z) or (z, labels) -> images; no optional arguments to trace."""

    def __init__(self, net: nn.Module, num_classes: int):
        super().__init__()
        self.net, self.conditional = net, num_classes > 0

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.net(z, labels if self.conditional else None).float()


# torch.jit and the TorchScript-based ONNX exporter warn on every call that they are deprecated; they are
# chosen on purpose (a file plain torch and libtorch load; an ONNX export that needs only `onnx`), so say nothing.
@contextlib.contextmanager
def _quiet_jit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


# --- TorchScript ---


def _write_torchscript(net: nn.Module, inputs, meta: dict, out: Path) -> None:
    with torch.no_grad(), _quiet_jit():
        traced = torch.jit.trace(net, inputs)
        torch.jit.save(traced, str(out), _extra_files={METADATA_FILE: json.dumps(meta)})


def _run_torchscript(path: Path, inputs) -> tuple[np.ndarray, str]:
    with torch.no_grad(), _quiet_jit():
        return torch.jit.load(str(path)).eval()(*inputs).numpy(), "torch.jit"


# --- ONNX ---
def _write_onnx(net: nn.Module, inputs, meta: dict, out: Path) -> None:
    import onnx

    names = meta["inputs"]
    axes = {name: {0: "batch"} for name in names + ["images"]}
    with _quiet_jit():
        torch.onnx.export(net, inputs, str(out), dynamo=False, input_names=names, output_names=["images"],
                          dynamic_axes=axes, opset_version=ONNX_OPSET)
    model = onnx.load(str(out))
    # All of it as one JSON value, and each field on its own for viewers such as Netron.
    props = {METADATA_FILE: json.dumps(meta)}
    props.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in meta.items()})
    for key, value in props.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(model, str(out))


def _run_onnx(path: Path, inputs) -> tuple[np.ndarray, str]:
    feeds = [t.numpy() for t in inputs]
    if importlib.util.find_spec("onnxruntime") is not None:
        import onnxruntime

        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        names = [i.name for i in session.get_inputs()]
        return session.run(None, dict(zip(names, feeds)))[0], "onnxruntime"
    import onnx
    from onnx.reference import ReferenceEvaluator

    model = onnx.load(str(path))
    names = [i.name for i in model.graph.input]
    return ReferenceEvaluator(model).run(None, dict(zip(names, feeds)))[0], "onnx.reference"


def read_metadata(path: str | Path) -> dict:
    """The metadata of an exported file (either format)."""
    path = Path(path)
    if path.suffix == ".onnx":
        import onnx

        props = {p.key: p.value for p in onnx.load(str(path), load_external_data=False).metadata_props}
        return json.loads(props[METADATA_FILE])
    extra = {METADATA_FILE: ""}
    with _quiet_jit():
        torch.jit.load(str(path), _extra_files=extra)
    return json.loads(extra[METADATA_FILE])
