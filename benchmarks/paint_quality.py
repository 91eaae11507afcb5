"""Paint quality, the GauGAN paper's protocol on our own data: segment the painted pictures.

1. Train small segmentation nets ("judges", three seeds) on real renders (seed 100, at the painter's size)
   of the painter's scenes: ``scenes`` (10 classes) or ``scenes:rich`` (15 classes, rendered at 256). One judge's verdict between two close models swings with its seed and training
   length, so the figures are the mean over the judges, with their spread.
2. Take 500 held-out label maps (seed 999) and picture them three ways: the real renders (the upper
   bound), the shipped SPADE painter, and a pix2pix trained on the same data for the same wall-clock
   time as the painter was, stage by stage (128 px, then 256 px from its weights; ``--pix2pix-run`` reuses
   one already trained).
3. Segment every picture; report mIoU and pixel accuracy against the input maps, and FID between the
   judge's pooled features of each set and of the real renders.
4. Sharpness: the mean Laplacian magnitude of the painter's pictures over that of the real renders of the
   same maps (``sharp_ratio``; a picture upscaled from 64 px scores about 0.3), and the same for the
   earlier 64 px painter (``painter64``) upscaled to the painter's size, for comparison.

    bash scripts/env.sh python benchmarks/paint_quality.py [--pix2pix-run runs/bench-pix2pix] [--skip-pix2pix]

Ends with ``RESULT real_miou=A spade_miou=B pix2pix_miou=C spade_fid=D pix2pix_fid=E sharp_ratio=F
sharp_ratio_64=G`` (C and E are absent with ``--skip-pix2pix``).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gan_backend.data.builtin.scene_rich import RICH_NAMES  # noqa: E402
from gan_backend.data.builtin.scenes import RICH_SIZE, generate  # noqa: E402
from gan_backend.data.transforms import resize_images, resize_maps  # noqa: E402
from gan_backend.images import from_uint8  # noqa: E402
from gan_backend.metrics.frechet import fid  # noqa: E402
from gan_backend.painter import load_painter, rich_onto_old  # noqa: E402

K = len(RICH_NAMES)  # the judges' classes: the rich ones (a 10-class painter's maps use the first ten)
HELD_OUT = 500


class SegNet(nn.Module):
    """A two-level U-Net: picture [B, 3, S, S] in -1..1 -> class logits [B, K, S, S]; 4w-d pooled features."""

    def __init__(self, width: int = 16):
        super().__init__()
        block = lambda i, o: nn.Sequential(nn.Conv2d(i, o, 3, 1, 1), nn.BatchNorm2d(o), nn.ReLU(),  # noqa: E731
                                           nn.Conv2d(o, o, 3, 1, 1), nn.BatchNorm2d(o), nn.ReLU())
        self.enc1, self.enc2, self.mid = block(3, width), block(width, 2 * width), block(2 * width, 4 * width)
        self.dec2, self.dec1 = block(6 * width, 2 * width), block(3 * width, width)
        self.head = nn.Conv2d(width, K, 1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        e1 = self.enc1(x)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        m = self.mid(F.max_pool2d(e2, 2))  # [B, 4w, S/4, S/4]
        d2 = self.dec2(torch.cat([F.interpolate(m, scale_factor=2), e2], 1))
        d1 = self.dec1(torch.cat([F.interpolate(d2, scale_factor=2), e1], 1))
        return self.head(d1), m.mean(dim=(2, 3))


def scenes_at(seed: int, n: int, size: int, rich: bool) -> tuple[np.ndarray, np.ndarray]:
    """(maps uint8 [n, size, size], renders uint8 [n, size, size, 3]) made at the dataset's size (128 px, rich
    scenes 256) and resized as in training."""
    made = RICH_SIZE if rich else 128
    maps, pictures = generate(seed, n, made, rich=rich)
    return (maps, pictures) if size == made else (resize_maps(maps, size), resize_images(pictures, size))


def train_segmenter(size: int, rich: bool, steps: int, log, seed: int = 0, batch: int = 16, n: int = 2000) -> SegNet:
    """A judge: ``seed`` fixes its initial weights and batches, so a rerun scores the same pictures alike."""
    maps, pictures = scenes_at(100, n, size, rich)
    torch.manual_seed(seed)
    net = SegNet()
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    gen = torch.Generator().manual_seed(seed)
    for step in range(steps):
        idx = torch.randint(len(maps), (batch,), generator=gen)
        x = from_uint8(torch.from_numpy(pictures[idx.numpy()]))
        y = torch.from_numpy(maps[idx.numpy()]).long()
        loss = F.cross_entropy(net(x)[0], y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % 100 == 0:
            log(f"judge {seed} step {step}: cross-entropy {loss.item():.3f}")
    return net.eval()


@torch.no_grad()
def segment(net: SegNet, pictures: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(predicted maps [N, S, S], pooled features [N, 128]) in chunks."""
    preds, feats = [], []
    for i in range(0, len(pictures), 100):
        logits, f = net(from_uint8(torch.from_numpy(pictures[i:i + 100])))
        preds.append(logits.argmax(1).numpy())
        feats.append(f.numpy())
    return np.concatenate(preds), np.concatenate(feats)


def scores(pred: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """(mIoU over the classes present in either, pixel accuracy)."""
    confusion = np.bincount(truth.reshape(-1).astype(np.int64) * K + pred.reshape(-1), minlength=K * K).reshape(K, K)
    tp = np.diag(confusion).astype(float)
    union = confusion.sum(0) + confusion.sum(1) - tp
    present = union > 0
    return float((tp[present] / union[present]).mean()), float(tp.sum() / confusion.sum())


@torch.no_grad()
def paint_all(painter, maps: np.ndarray) -> np.ndarray:
    """uint8 [N, S, S, 3]: each map painted with its own style seed."""
    out = []
    for i in range(0, len(maps), 50):
        seeds = list(range(i, min(i + 50, len(maps))))
        out.append(painter.paint(maps[i:i + 50], z=painter.latents(seeds)))
    return np.concatenate(out)


def laplacian(pictures: np.ndarray) -> float:
    """Mean |Laplacian| of the grey pictures uint8 [N, S, S, 3]: how much fine detail they hold."""
    grey = torch.from_numpy(pictures.astype(np.float32).mean(-1))[:, None]
    kernel = torch.tensor([[0.0, 1, 0], [1, -4, 1], [0, 1, 0]])[None, None]
    return float(F.conv2d(grey, kernel).abs().mean())


def upscaled(painter, maps: np.ndarray, side: int) -> np.ndarray:
    """A painter of another size (and maybe 10 classes) on the maps, its pictures resized to ``side``."""
    small = resize_maps(maps, painter.size)
    if painter.num_classes < K:
        small = rich_onto_old(small)
    return resize_images(paint_all(painter, small), side)


# The shipped 256 px painter's two stages (scripts/train_painter.py): training seconds at 128 px, then at 256.
# Its checkpoint keeps the 256 stage's time only; these are the stage runs' own (runs/painter256/stage*/).
PAINTER_STAGE_S = {128: 1372.5, 256: 2255.7}


def train_pix2pix(run_dir: Path, stage_s: dict[int, float], log) -> Path:
    """pix2pix on the painter's data and recipe with the painter's schedule: each stage (side -> seconds)
    trained as long as the painter's was, the next starting from its weights (resumed where runs exist).
    Returns the last stage's run directory."""
    from scripts._shipped import train_for
    from scripts.train_painter import painter_config, start_from

    def recipe(stage_dir: Path, side: int):
        cfg = painter_config(stage_dir, 100_000, side)
        cfg.model.name, cfg.model.width = "pix2pix", 32  # ~1.5M G weights, next to SPADE's ~1M
        cfg.train.lr_g, cfg.train.lr_d, cfg.train.beta1, cfg.train.beta2 = 2e-4, 2e-4, 0.5, 0.999  # the paper's
        return cfg

    earlier = None
    for side, seconds in stage_s.items():
        stage_dir = run_dir / f"stage{side}" if len(stage_s) > 1 else run_dir
        if earlier is not None and not (stage_dir / "config.json").is_file():
            start_from(stage_dir, earlier, lambda d: recipe(d, side))
        train_for(stage_dir, seconds, lambda: recipe(stage_dir, side), log, f"pix2pix {side} px", at_least=10)
        earlier = stage_dir  # at least 10 s: a finished stage is reused
    return earlier


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pix2pix-run", default=str(ROOT / "runs" / "bench-pix2pix"))
    p.add_argument("--budget-s", type=float, default=0.0,
                   help="pix2pix training time in one stage at the painter's size (default: the painter's stages)")
    p.add_argument("--seg-steps", type=int, default=2400, help="training steps of each judge")
    p.add_argument("--judges", type=int, default=3, help="judges (seeds) to average: one judge's verdict swings")
    p.add_argument("--seg-batch", type=int, default=16, help="batch of each judge's training steps")
    p.add_argument("--held-out", type=int, default=HELD_OUT, help="held-out maps to paint and judge")
    p.add_argument("--threads", type=int, default=1, help="torch threads (1: a shared CPU does not thrash)")
    p.add_argument("--skip-pix2pix", action="store_true", help="no pix2pix baseline (its training time is the painter's)")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    log = lambda msg: print(f"[{time.perf_counter() - t0:6.0f} s] {msg}", flush=True)  # noqa: E731
    spade = load_painter("painter")
    rich = spade.class_names == RICH_NAMES  # the judges learn the painter's scenes
    stage_s = {spade.size: args.budget_s} if args.budget_s else PAINTER_STAGE_S
    maps, real = scenes_at(999, args.held_out, spade.size, rich)
    sets = {"real": real, "spade": paint_all(spade, maps)}
    sharp = {"sharp_ratio": laplacian(sets["spade"]) / laplacian(real)}
    if spade.size > 64:
        sharp["sharp_ratio_64"] = laplacian(upscaled(load_painter("painter64"), maps, spade.size)) / laplacian(real)
    log("sharpness (mean |Laplacian| over the real renders'): " + ", ".join(f"{k} {v:.3f}" for k, v in sharp.items()))
    if not args.skip_pix2pix:
        pix2pix = load_painter(str(train_pix2pix(Path(args.pix2pix_run), stage_s, log)))
        sets["pix2pix"] = paint_all(pix2pix, maps)
    per_judge = {name: [] for name in sets}  # name -> [(mIoU, pixel acc, FID) per judge]
    for seed in range(args.judges):
        net = train_segmenter(spade.size, rich, args.seg_steps, log, seed, args.seg_batch)
        real_feats = segment(net, real)[1]
        for name, pictures in sets.items():
            pred, feats = segment(net, pictures)
            per_judge[name].append((*scores(pred, maps), fid(real_feats, feats) if name != "real" else 0.0))
        log(f"judge {seed}: " + ", ".join(f"{n} mIoU {v[-1][0]:.4f} FID {v[-1][2]:.4f}" for n, v in per_judge.items()))
    table = {name: np.array(v) for name, v in per_judge.items()}  # [judges, 3]
    results = {name: t.mean(0) for name, t in table.items()}
    spread = {name: np.ptp(t, axis=0) for name, t in table.items()}
    print(f"\n| pictures | mIoU | pixel acc | FID (seg-net features) |   (mean of {args.judges} judges; +- max - min)"
          "\n|---|---|---|---|")
    for name, (miou, acc, dist) in results.items():
        d = spread[name]
        print(f"| {name} | {miou:.4f} +- {d[0]:.4f} | {acc:.4f} +- {d[1]:.4f} | {dist:.4f} +- {d[2]:.4f} |")
    baseline = "" if args.skip_pix2pix else f"; pix2pix step {pix2pix.step}, at least as long"
    print(f"\n({args.held_out} held-out maps at {spade.size}x{spade.size}; painter step {spade.step} trained "
          f"{sum(stage_s.values()):.0f} s{baseline}; judges {args.seg_steps} steps of {args.seg_batch})")
    r = results
    keys = {"real_miou": r["real"][0], "spade_miou": r["spade"][0], "spade_fid": r["spade"][2], **sharp}
    if "pix2pix" in r:
        keys.update(pix2pix_miou=r["pix2pix"][0], pix2pix_fid=r["pix2pix"][2])
    print("RESULT " + " ".join(f"{k}={v:.4f}" for k, v in keys.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
