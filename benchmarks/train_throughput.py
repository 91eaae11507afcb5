"""DCGAN-64 training throughput: the engine vs a bare hand-written loop vs the machine's fp32 conv peak.

    bash scripts/env.sh python benchmarks/train_throughput.py [--steps 8] [--rounds 3]

Same networks (dcgan, ngf = ndf = 64), batch 64, 3x64x64 synthetic data, non-saturating loss, Adam, no EMA,
in both loops. Each measurement runs in a fresh process (so peak resident memory is comparable), and
engine and bare runs alternate over several rounds so that a noisy machine hurts both alike; the best
round of each counts. The engine runs without augmentation (train.augment=none, like the bare loop); two
more engine runs price D's augmentation: ``aug_cost`` is the extra time per step with ADA at p=0.5
(ada's default pipeline, the "auto" choice for small data) and ``aug_cost_diffaug`` with DiffAugment, both
as fractions of the plain engine step. Ends with
`RESULT engine_vs_bare=R1 engine_vs_peak=R2 mem_vs_bare=R3 aug_cost=R4 aug_cost_diffaug=R5`.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BATCH, SIZE, WIDTH, LATENT, N_IMAGES = 64, 64, 64, 100, 1024
ADA_P = 0.5  # ADA's probability held fixed for the augmentation cost
AUGMENT = {"engine": "none", "engine_diffaug": "diffaug", "engine_ada": "ada"}  # child kind -> train.augment


def synthetic_images():
    import numpy as np

    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (N_IMAGES, SIZE, SIZE, 3), dtype=np.uint8)


def register_synthetic():
    from gan_backend.data.base import DATASETS, ArrayDataset

    if "bench:noise64" not in DATASETS:
        DATASETS.register("bench:noise64", summary="benchmark noise")(
            lambda seed=0, n=None: ArrayDataset("bench:noise64", "image", synthetic_images()))


def run_engine(steps: int, augment: str = "none") -> dict:
    import torch

    from gan_backend.config import Config
    from gan_backend.engine.loop import Trainer
    from gan_backend.engine.reports import TrainReport

    register_synthetic()
    cfg = Config()
    cfg.data.dataset = "bench:noise64"
    cfg.model.name, cfg.model.width, cfg.model.latent_dim = "dcgan", WIDTH, LATENT
    cfg.loss.name, cfg.train.batch_size, cfg.train.device, cfg.train.ema = "nonsaturating", BATCH, "cpu", 0.0
    warm = 2
    cfg.train.steps = warm + steps
    cfg.run.log_every, cfg.run.sample_every, cfg.run.checkpoint_every = warm, 10**9, 10**9
    cfg.run.run_dir = tempfile.mkdtemp(prefix="bench-engine-")
    cfg.train.augment, cfg.train.ada_kimg = augment, 1e12  # ada: p stays at ADA_P
    trainer = Trainer.new(cfg)
    if trainer.task.augment.ada is not None:
        trainer.task.augment.ada.p = ADA_P
    marks = {}
    for item in trainer.run():
        if isinstance(item, TrainReport):
            marks[item.step] = time.perf_counter()  # reports come at step 2 (warm-up done) and at the end
    seconds = marks[warm + steps] - marks[warm]
    return {"images_per_sec": steps * BATCH / seconds, "maxrss_mb": _maxrss_mb()}


def bare_models():
    import torch

    from gan_backend.models import MODELS, ModelSpec

    torch.manual_seed(0)
    return MODELS.get("dcgan")(ModelSpec("image", (3, SIZE, SIZE), latent_dim=LATENT, width=WIDTH))


def bare_step(G, D, opt_g, opt_d, real):
    """The classic DCGAN loop (PyTorch examples/dcgan), non-saturating loss."""
    import torch
    import torch.nn.functional as F

    z = torch.randn(real.shape[0], LATENT)
    fake = G(z)
    opt_d.zero_grad(set_to_none=True)
    r, f = D(real), D(fake.detach())
    loss_d = F.binary_cross_entropy_with_logits(r, torch.ones_like(r)) + \
        F.binary_cross_entropy_with_logits(f, torch.zeros_like(f))
    loss_d.backward()
    opt_d.step()
    opt_g.zero_grad(set_to_none=True)
    f = D(fake)
    loss_g = F.binary_cross_entropy_with_logits(f, torch.ones_like(f))
    loss_g.backward()
    opt_g.step()
    return loss_d, loss_g


def run_bare(steps: int) -> dict:
    import torch

    data = torch.from_numpy(synthetic_images())
    G, D = bare_models()
    opt_g = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))
    warm = 2
    for i in range(warm + steps):
        if i == warm:
            t0 = time.perf_counter()
        idx = torch.randint(0, len(data), (BATCH,))
        real = data[idx].permute(0, 3, 1, 2).float().div(127.5).sub(1)
        loss_d, loss_g = bare_step(G, D, opt_g, opt_d, real)
        loss_d.item(), loss_g.item()  # a real loop prints its losses
    return {"images_per_sec": steps * BATCH / (time.perf_counter() - t0), "maxrss_mb": _maxrss_mb()}


def flops_per_image() -> float:
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    G, D = bare_models()
    opt_g = torch.optim.Adam(G.parameters(), 2e-4)
    opt_d = torch.optim.Adam(D.parameters(), 2e-4)
    real = torch.randn(BATCH, 3, SIZE, SIZE)
    with FlopCounterMode(display=False) as counter:
        bare_step(G, D, opt_g, opt_d, real)
    return counter.get_total_flops() / BATCH


def run_peak(_: int) -> dict:
    """Best fp32 FLOP/s of single large convolutions shaped like DCGAN-64's heavy layers."""
    import torch
    import torch.nn.functional as F

    best = 0.0
    shapes = [(64, 128, 32, 256, 4, 2), (64, 256, 16, 512, 4, 2), (64, 64, 64, 128, 3, 1), (64, 256, 16, 256, 3, 1)]
    with torch.no_grad():
        for b, cin, hw, cout, k, stride in shapes:
            x, w = torch.randn(b, cin, hw, hw), torch.randn(cout, cin, k, k)
            out = F.conv2d(x, w, stride=stride, padding=1)
            flops = 2 * out.numel() * cin * k * k
            for _ in range(3):
                t0 = time.perf_counter()
                F.conv2d(x, w, stride=stride, padding=1)
                best = max(best, flops / (time.perf_counter() - t0))
    return {"flops_per_sec": best}


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(kind: str, steps: int) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--steps", str(steps)]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=8, help="timed steps per measurement")
    ap.add_argument("--rounds", type=int, default=3, help="alternating engine/bare/peak rounds")
    ap.add_argument("--child", choices=["bare", "peak", *AUGMENT], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        run = {"bare": run_bare, "peak": run_peak}.get(args.child)
        print(json.dumps(run(args.steps) if run else run_engine(args.steps, AUGMENT[args.child])))
        return
    rows = {"engine": [], "bare": [], "peak": [], "engine_diffaug": [], "engine_ada": []}
    for r in range(args.rounds):
        for kind in ("bare", "engine", "peak", "engine_diffaug", "engine_ada"):
            rows[kind].append(child(kind, args.steps))
            print(f"round {r + 1} {kind}: {rows[kind][-1]}", flush=True)
    fpi = flops_per_image()
    eng = max(x["images_per_sec"] for x in rows["engine"])
    bare = max(x["images_per_sec"] for x in rows["bare"])
    peak = max(x["flops_per_sec"] for x in rows["peak"])
    mem_e = min(x["maxrss_mb"] for x in rows["engine"])
    mem_b = min(x["maxrss_mb"] for x in rows["bare"])
    print(f"\nDCGAN-64, batch {BATCH}, {fpi / 1e9:.2f} GFLOP per image per training step")
    print(f"{'loop':8s} {'images/s':>9s} {'GFLOP/s':>8s} {'of peak':>8s} {'peak RSS MB':>12s}")
    for name, ips, mem in (("bare", bare, mem_b), ("engine", eng, mem_e)):
        print(f"{name:8s} {ips:9.1f} {ips * fpi / 1e9:8.1f} {ips * fpi / peak:8.1%} {mem:12.0f}")
    print(f"{'peak':8s} {'':9s} {peak / 1e9:8.1f}  (best fp32 conv forward)")
    # Extra time per step = (1 / augmented rate) / (1 / plain rate) - 1.
    cost = {k: eng / max(x["images_per_sec"] for x in rows[f"engine_{k}"]) - 1 for k in ("ada", "diffaug")}
    print(f"aug_cost: ada at p={ADA_P} {cost['ada']:+.1%}, diffaug {cost['diffaug']:+.1%} time per step vs none")
    print(f"RESULT engine_vs_bare={eng / bare:.3f} engine_vs_peak={eng * fpi / peak:.3f} mem_vs_bare={mem_e / mem_b:.3f} "
          f"aug_cost={cost['ada']:.3f} aug_cost_diffaug={cost['diffaug']:.3f}")


if __name__ == "__main__":
    main()
