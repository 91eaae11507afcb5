"""StyleGAN2-lite against DCGAN: style-mixing disentanglement, quality at equal CPU time, projection, InfoGAN codes.

    bash scripts/env.sh python benchmarks/stylegan.py [--minutes 20] [--info-minutes 10] [--threads 1]

Trains (or reuses, when ``benchmarks/out/stylegan/RUN/checkpoints/last.pt`` exists) these runs, two at a time
side by side (stylegan beside dcgan, so both see the same machine load), each for the same wall-clock budget:

- ``shapes32-stylegan`` / ``shapes32-dcgan`` and ``glyphs28-stylegan`` / ``glyphs28-dcgan``: quality at equal CPU
  time, FID in the shipped classifiers' features (``gan-studio eval``, 1000 samples; lower is better);
- ``shapes64-stylegan`` / ``shapes64-dcgan``: projection at 64 px;
- ``glyphs28-info``: dcgan with a 10-way InfoGAN code (``model.info_codes=cat10``) and no labels, z of 62 and
  G's rate 1e-3 as in the InfoGAN paper, and ``loss.info_augment=tilt,xint,scale``.

``--only info`` trains and measures the InfoGAN run alone and ends with ``RESULT info_purity=...``; ``--only shapes``
trains the shapes32 pair alone and ends with the mixing figures and both FIDs on shapes.

Then it measures:

- **Style mixing** on ``shapes32-stylegan`` (truncation psi 0.7 in W, fixed noise): for 400 pairs (A, B) whose
  shipped-classifier shapes differ, A's coarse styles copied into B (``coarse_takes_shape``: the share of mixes
  read as A's shape), and A's fine styles copied into B (``fine_keeps_shape``: the share read as B's shape;
  ``fine_moves_colour``: the mean over pairs of how far B's mean RGB moved along the line to A's, 0 = not at all,
  1 = all the way).
- **Projection** of 50 held-out ``shapes`` pictures (data seed 4242: not in the training set) at 64 px with the
  default 300 steps and loss: ``proj_psnr`` (dB) and ``proj_s`` (seconds per picture) for stylegan in W+, and
  ``proj_psnr_dcgan`` / ``proj_s_dcgan`` for the dcgan run in z with the same steps.
- **InfoGAN purity**: 100 samples per code value, digits read by the shipped glyphs classifier, the 10x10 table
  matched by the Hungarian assignment; ``info_purity`` = matched samples / all.

Ends with one line:
RESULT coarse_takes_shape=... fine_keeps_shape=... fine_moves_colour=... fid_shapes_stylegan=... fid_shapes_dcgan=...
fid_glyphs_stylegan=... fid_glyphs_dcgan=... proj_psnr=... proj_s=... proj_psnr_dcgan=... proj_s_dcgan=... info_purity=...
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "benchmarks" / "out" / "stylegan"
PAIRS = 400
HELD_OUT_SEED = 4242
PROJECTED = 50
PSI = 0.7
INFO_PER_CODE = 100

# name -> (dataset, model, image size (0 = the dataset's), extra --set fields)
RUNS = {
    "shapes32-stylegan": ("shapes", "stylegan", 0, []),
    "shapes32-dcgan": ("shapes", "dcgan", 0, []),
    "glyphs28-stylegan": ("glyphs", "stylegan", 0, []),
    "glyphs28-dcgan": ("glyphs", "dcgan", 0, []),
    "shapes64-stylegan": ("shapes", "stylegan", 64, []),
    "shapes64-dcgan": ("shapes", "dcgan", 64, []),
    # InfoGAN's own MNIST settings (z of 62, G's rate 1e-3) and Q reading the code through tilts, shifts and scales
    "glyphs28-info": ("glyphs", "dcgan", 0, ["model.info_codes=cat10", "model.latent_dim=62", "train.lr_g=1e-3",
                                             "loss.info_augment=tilt,xint,scale"]),
}
BATCHES = [("shapes32-stylegan", "shapes32-dcgan"), ("glyphs28-stylegan", "glyphs28-dcgan"),
           ("shapes64-stylegan", "shapes64-dcgan"), ("glyphs28-info",)]


def train_command(name: str, minutes: float, threads: int) -> list[str]:
    dataset, model, size, extra = RUNS[name]
    sets = [f"data.image_size={size}", "train.batch_size=32", f"train.max_time={minutes * 60:.0f}",
            "train.steps=1000000", f"train.num_threads={threads}", "run.sample_every=500", *extra]
    cmd = [sys.executable, str(ROOT / "main.py"), "train", "--dataset", dataset, "--model", model,
           "--run-dir", str(OUT / name)]
    for s in sets:
        cmd += ["--set", s]
    return cmd


def train_all(minutes: float, info_minutes: float, threads: int, batches=BATCHES) -> dict[str, float]:
    """Each batch of runs side by side; a run with a last.pt is reused. Returns the steps each run reached."""
    OUT.mkdir(parents=True, exist_ok=True)
    for batch in batches:
        todo = [n for n in batch if not (OUT / n / "checkpoints" / "last.pt").is_file()]
        procs = []
        for name in todo:
            budget = info_minutes if name == "glyphs28-info" else minutes
            log = open(OUT / f"{name}.log", "w")
            print(f"training {name} for {budget:g} min", file=sys.stderr)
            procs.append(subprocess.Popen(train_command(name, budget, threads), stdout=log, stderr=subprocess.STDOUT,
                                          env={**os.environ, "OMP_NUM_THREADS": str(threads)}))
        for p in procs:
            if p.wait() != 0:
                raise SystemExit(f"a training failed; see {OUT}/*.log")
    from gan_backend.loader import open_checkpoint

    return {name: open_checkpoint(OUT / name).step for batch in batches for name in batch}


def fid(name: str) -> float:
    from gan_backend.metrics.evaluate import evaluate

    return float(evaluate(OUT / name, n=1000)["fid"])


def style_mixing() -> dict[str, float]:
    import torch

    from gan_backend.generator import load_generator
    from gan_backend.images import to_uint8
    from gan_backend.metrics.features import shipped_classifier
    from gan_backend.metrics.classifier import probabilities
    from gan_backend.models.stylegan import mix_styles

    gen = load_generator(OUT / "shapes32-stylegan")
    G, clf = gen.net, shipped_classifier("shapes")
    with torch.no_grad():
        z = gen.latents(4 * PAIRS, 99)
        ws = G.ws(z, psi=PSI)
        pics = to_uint8(G.synthesis(ws, "const"))
        cls = probabilities(clf, pics).argmax(1)
        a_idx, b_idx = [], []
        for i in range(0, len(z) - 1, 2):
            if cls[i] != cls[i + 1]:
                a_idx.append(i)
                b_idx.append(i + 1)
        a_idx, b_idx = np.array(a_idx[:PAIRS]), np.array(b_idx[:PAIRS])
        out = {}
        # coarse and middle rows together as well: shape may be settled by the middle (16 px) layers of a 32 px G
        ranges = {"coarse": G.groups["coarse"], "fine": G.groups["fine"], "coarse_middle": (0, G.groups["middle"][1])}
        for group, (start, stop) in ranges.items():
            mixed = to_uint8(G.synthesis(mix_styles(ws[b_idx], ws[a_idx], start, stop), "const"))
            got = probabilities(clf, mixed).argmax(1)
            if group != "fine":
                out[f"{group}_takes_shape"] = float((got == cls[a_idx]).mean())
            else:
                out["fine_keeps_shape"] = float((got == cls[b_idx]).mean())
                ca, cb = pics[a_idx].reshape(len(a_idx), -1, 3).mean(1), pics[b_idx].reshape(len(b_idx), -1, 3).mean(1)
                cm = mixed.reshape(len(b_idx), -1, 3).mean(1)
                line = ca - cb
                t = ((cm - cb) * line).sum(1) / np.maximum((line ** 2).sum(1), 1e-6)
                out["fine_moves_colour"] = float(np.mean(t))
        out["mixing_pairs"] = len(a_idx)
    save_mixing_figure(G, ws[:5], ws[5:10])
    return out


def save_mixing_figure(G, sources, destinations) -> None:
    """The paper's figure on shapes: destinations across the top, sources down the side, coarse and fine mixes."""
    import torch

    from gan_backend.images import make_grid, save_png, to_uint8
    from gan_backend.models.stylegan import mix_styles

    with torch.no_grad():
        for group in ("coarse", "fine"):
            start, stop = G.groups[group]
            blank = torch.full((1, 3, G.synthesis.size, G.synthesis.size), -1.0)
            rows = [torch.cat([blank, G.synthesis(destinations, "const")])]
            for s in sources:
                mixed = G.synthesis(mix_styles(destinations, s[None], start, stop), "const")
                rows.append(torch.cat([G.synthesis(s[None], "const"), mixed]))
            save_png(make_grid(to_uint8(torch.cat(rows)), ncols=len(destinations) + 1), OUT / f"mixing_{group}.png")


def projection(steps: int = 300) -> dict[str, float]:
    import torch

    from gan_backend.data import open_dataset
    from gan_backend.generator import load_generator
    from gan_backend.projection import Projector

    pictures = open_dataset("shapes", n=PROJECTED, seed=HELD_OUT_SEED).x  # 32 px; target_tensor resizes to 64
    out = {}
    for key, name in (("", "shapes64-stylegan"), ("_dcgan", "shapes64-dcgan")):
        gen = load_generator(OUT / name)
        psnrs, secs = [], []
        for i, pic in enumerate(pictures):
            torch.manual_seed(i)
            proj = Projector(gen, pic)
            report = list(proj.run(steps, every=steps))[-1]
            psnrs.append(report.psnr)
            secs.append(report.seconds)
        out[f"proj_psnr{key}"], out[f"proj_s{key}"] = float(np.mean(psnrs)), float(np.mean(secs))
    return out


def info_purity(run: Path | None = None) -> float:
    import torch
    from scipy.optimize import linear_sum_assignment

    from gan_backend.generator import load_generator
    from gan_backend.metrics.classifier import probabilities
    from gan_backend.metrics.features import shipped_classifier

    gen = load_generator(run or OUT / "glyphs28-info")
    d = gen.cfg.model.latent_dim
    table = np.zeros((10, 10))
    for k in range(10):
        z = gen.latents(INFO_PER_CODE, 1000 + k)
        z[:, d:d + 10] = 0
        z[:, d + k] = 1
        digits = probabilities(shipped_classifier("glyphs"), gen.images(z)).argmax(1)
        table[k] = np.bincount(digits, minlength=10)
    rows, cols = linear_sum_assignment(-table)
    return float(table[rows, cols].sum() / table.sum())


def print_result(r: dict[str, float], keys: list[str]) -> None:
    print("RESULT " + " ".join(f"{k}={r[k]:.4f}" for k in keys))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=20.0, help="wall-clock budget of each quality run")
    ap.add_argument("--info-minutes", type=float, default=10.0, help="budget of the InfoGAN run")
    ap.add_argument("--threads", type=int, default=1, help="torch threads per training (two train side by side)")
    ap.add_argument("--only", choices=["info", "shapes"], help="train and measure only the InfoGAN run, or only the "
                    "shapes32 pair (style mixing and FID)")
    args = ap.parse_args()
    import torch

    torch.set_num_threads(2)
    if args.only == "info":
        steps = train_all(args.minutes, args.info_minutes, args.threads, batches=[("glyphs28-info",)])
        print(f"glyphs28-info: {steps['glyphs28-info']} steps", file=sys.stderr)
        print(f"RESULT info_purity={info_purity():.4f}")
        return
    if args.only == "shapes":
        steps = train_all(args.minutes, args.info_minutes, args.threads, batches=[BATCHES[0]])
        print(", ".join(f"{name}: {step} steps" for name, step in steps.items()), file=sys.stderr)
        r = {**style_mixing(), **{f"fid_shapes_{m}": fid(f"shapes32-{m}") for m in ("stylegan", "dcgan")}}
        print_result(r, ["coarse_takes_shape", "fine_keeps_shape", "fine_moves_colour", "coarse_middle_takes_shape",
                         "fid_shapes_stylegan", "fid_shapes_dcgan"])
        return
    steps = train_all(args.minutes, args.info_minutes, args.threads)
    for name, step in steps.items():
        print(f"{name}: {step} steps", file=sys.stderr)
    r = style_mixing()
    for ds in ("shapes", "glyphs"):
        for m in ("stylegan", "dcgan"):
            r[f"fid_{ds}_{m}"] = fid(f"{ds}{'32' if ds == 'shapes' else '28'}-{m}")
    t = time.perf_counter()
    r.update(projection())
    print(f"projection took {time.perf_counter() - t:.0f} s", file=sys.stderr)
    r["info_purity"] = info_purity()
    for k, v in r.items():
        print(f"{k}: {v:.4f}" if isinstance(v, float) else f"{k}: {v}")
    keys = ["coarse_takes_shape", "fine_keeps_shape", "fine_moves_colour", "fid_shapes_stylegan", "fid_shapes_dcgan",
            "fid_glyphs_stylegan", "fid_glyphs_dcgan", "proj_psnr", "proj_s", "proj_psnr_dcgan", "proj_s_dcgan",
            "info_purity"]
    print_result(r, keys)


if __name__ == "__main__":
    main()
