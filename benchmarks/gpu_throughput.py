"""GPU throughput: DCGAN-64 and SNGAN-32 through the engine at fp32, bf16 AMP, +channels_last, +compile,
against a bare torch loop in the same run, and model FLOP/s as a fraction of the GPU's bf16 dense peak.

    bash scripts/env.sh python benchmarks/gpu_throughput.py [--steps 50]
    bash scripts/env.sh python benchmarks/gpu_throughput.py --device cpu --steps 2   # smoke test of the code paths

Prints "skipped: no CUDA" without a GPU. Ends with `RESULT best_vs_bare=A frac_of_peak=B device=NAME`.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

# Dense bf16 tensor-core peaks from the vendor data sheets (FLOP/s, no sparsity).
BF16_PEAK = {"H100 SXM": 989.4e12, "H100 80GB HBM3": 989.4e12, "H100 PCIe": 756.0e12, "H100 NVL": 835.0e12,
             "H200": 989.4e12, "A100": 312.0e12, "L40S": 362.0e12, "L4": 121.0e12, "A10": 125.0e12}
MODELS = {"dcgan64": ("dcgan", 64, 3, 64, "nonsaturating"), "sngan32": ("sngan", 32, 3, 64, "hinge")}
SETTINGS = {"fp32": {}, "bf16": {"amp": "bf16"}, "bf16+cl": {"amp": "bf16", "channels_last": True},
            "bf16+cl+compile": {"amp": "bf16", "channels_last": True, "compile": True}}


def peak_for(name: str) -> float:
    for key, value in BF16_PEAK.items():
        if key.lower() in name.lower():
            return value
    return 0.0


def synthetic(size: int, channels: int, n: int = 4096):
    import numpy as np

    return np.random.default_rng(0).integers(0, 256, (n, size, size, channels), dtype=np.uint8)


def engine_rate(key: str, setting: dict, batch: int, steps: int, device: str, warm: int) -> float:
    from gan_backend.config import Config
    from gan_backend.data.base import DATASETS, ArrayDataset
    from gan_backend.engine.loop import Trainer
    from gan_backend.engine.reports import TrainReport

    model, size, ch, width, loss = MODELS[key]
    name = f"bench:{key}"
    if name not in DATASETS:
        DATASETS.register(name, summary="benchmark noise")(
            lambda seed=0, n=None, s=size, c=ch: ArrayDataset(name, "image", synthetic(s, c)))
    cfg = Config()
    cfg.data.dataset, cfg.model.name, cfg.model.width, cfg.loss.name = name, model, width, loss
    cfg.train.batch_size, cfg.train.device, cfg.train.steps = batch, device, warm + steps
    for k, v in setting.items():
        cfg.set(f"train.{k}", v)
    cfg.run.log_every, cfg.run.sample_every, cfg.run.checkpoint_every = warm, 10**9, 10**9
    cfg.run.run_dir = tempfile.mkdtemp(prefix="bench-gpu-")
    marks = {}
    for item in Trainer.new(cfg).run():
        if isinstance(item, TrainReport):
            _sync(device)
            marks[item.step] = time.perf_counter()
    return steps * batch / (marks[warm + steps] - marks[warm])


def bare_rate(key: str, amp: bool, batch: int, steps: int, device: str, warm: int) -> float:
    """The classic loop (examples/dcgan) on the same networks, optionally under bf16 autocast."""
    import torch.nn.functional as F

    from gan_backend.models import MODELS as REG, ModelSpec

    model, size, ch, width, _ = MODELS[key]
    G, D = REG.get(model)(ModelSpec("image", (ch, size, size), latent_dim=100, width=width))
    G, D = G.to(device), D.to(device)
    opt_g = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))
    data = torch.from_numpy(synthetic(size, ch)).to(device)
    ctx = (lambda: torch.autocast(device.split(":")[0], dtype=torch.bfloat16)) if amp else _null
    for i in range(warm + steps):
        if i == warm:
            _sync(device)
            t0 = time.perf_counter()
        real = data[torch.randint(0, len(data), (batch,), device=device)].permute(0, 3, 1, 2).float() / 127.5 - 1
        with ctx():
            fake = G(torch.randn(batch, 100, device=device))
            r, f = D(real), D(fake.detach())
            loss_d = F.softplus(-r).mean() + F.softplus(f).mean()
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        with ctx():
            loss_g = F.softplus(-D(fake)).mean()
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
    _sync(device)
    return steps * batch / (time.perf_counter() - t0)


def flops_per_image(key: str, batch: int) -> float:
    from torch.utils.flop_counter import FlopCounterMode

    from gan_backend.models import MODELS as REG, ModelSpec

    model, size, ch, width, _ = MODELS[key]
    G, D = REG.get(model)(ModelSpec("image", (ch, size, size), latent_dim=100, width=width))
    with FlopCounterMode(display=False) as counter:
        fake = G(torch.randn(batch, 100))
        (D(torch.randn(batch, ch, size, size)).mean() + D(fake.detach()).mean()).backward()
        D(fake).mean().backward()
    return counter.get_total_flops() / batch


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=10, help="untimed steps first (compile, cuDNN autotuning)")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--device", default="cuda")
    args = ap.parse_args()
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        print("skipped: no CUDA")
        return
    name = torch.cuda.get_device_name() if args.device.startswith("cuda") else "cpu"
    peak = peak_for(name)
    best_ratio, best_frac = 0.0, 0.0
    print(f"device: {name}; bf16 dense peak {peak / 1e12:.0f} TFLOP/s" if peak else f"device: {name}")
    print(f"{'model':8s} {'setting':16s} {'images/s':>10s} {'vs bare':>8s} {'TFLOP/s':>8s} {'of peak':>8s}")
    for key in MODELS:
        fpi = flops_per_image(key, 8)
        bare = max(bare_rate(key, amp, args.batch, args.steps, args.device, args.warmup) for amp in (False, True))
        print(f"{key:8s} {'bare (best)':16s} {bare:10.0f}")
        for label, setting in SETTINGS.items():
            rate = engine_rate(key, setting, args.batch, args.steps, args.device, args.warmup)
            frac = rate * fpi / peak if peak else 0.0
            best_ratio, best_frac = max(best_ratio, rate / bare), max(best_frac, frac)
            print(f"{key:8s} {label:16s} {rate:10.0f} {rate / bare:8.2f} {rate * fpi / 1e12:8.1f} {frac:8.1%}")
    print(f"RESULT best_vs_bare={best_ratio:.3f} frac_of_peak={best_frac:.3f} device={name.replace(' ', '_')}")


if __name__ == "__main__":
    main()
