"""Images/s of reading a folder of JPEGs: torchvision ImageFolder against GAN Studio's ``folder:`` loader.

    bash scripts/env.sh python benchmarks/data_throughput.py [--n 2000] [--side 256] [--size 64] [--threads 1]

Writes ``--n`` random-content JPEGs (noise over gradients, ``--side`` px square, four class
folders) to a temporary folder, then times, in this one process and on the same files:

a. ImageFolder + Resize(size) + CenterCrop(size) + ToTensor through DataLoader(num_workers=2,
   batch 64): one epoch, worker start included;
b. ``open_dataset("folder:...")`` decoding into a fresh cache + one epoch of Batcher batches;
c. re-opening the same folder (a cache hit) + one epoch;
d. one more epoch on the opened dataset (what every epoch after the first costs in training).

Ends with ``RESULT first_epoch_vs_imagefolder=R1 cached_vs_imagefolder=R2`` (b/a and c/a rates).
"""
from __future__ import annotations

import argparse
import gc
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from gan_backend.data import open_dataset
from gan_backend.engine.batches import Batcher

BATCH = 64
CLASSES = 4


def write_jpegs(folder: Path, n: int, side: int, seed: int = 0) -> None:
    """``n`` JPEGs of coloured gradients under noise, spread over CLASSES class folders."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:side, 0:side].astype(np.float32) / side
    for c in range(CLASSES):
        (folder / f"class{c}").mkdir(parents=True, exist_ok=True)
    for i in range(n):
        a, b, c = rng.random(3) * 255
        base = np.stack([a * xx + (255 - a) * yy, b * yy + c * (1 - xx), c * xx * yy + a * (1 - yy)], axis=-1)
        noise = rng.integers(-40, 40, (side // 4, side // 4, 3)).repeat(4, 0).repeat(4, 1)  # blotches, not pure grain
        image = np.clip(base + noise, 0, 255).astype(np.uint8)
        Image.fromarray(image).save(folder / f"class{i % CLASSES}" / f"{i:05d}.jpg", quality=90)


def settle() -> None:
    """Collect garbage now and freeze what survives, so no phase pays for a full collection another caused.

    With torch and torchvision imported a full collection walks ~330k objects (0.3 s on a
    2-core VM); left alone it lands in whichever phase happens to cross the threshold.
    """
    gc.collect()
    gc.freeze()


def imagefolder_epoch(folder: Path, size: int) -> float:
    """Seconds for one epoch of torchvision's ImageFolder pipeline."""
    from torchvision import datasets, transforms

    settle()
    started = time.perf_counter()
    tf = transforms.Compose([transforms.Resize(size), transforms.CenterCrop(size), transforms.ToTensor()])
    loader = torch.utils.data.DataLoader(datasets.ImageFolder(str(folder), tf), batch_size=BATCH, shuffle=True,
                                         num_workers=2)
    for x, _ in loader:
        x.sum()  # touch the batch as training would
    return time.perf_counter() - started


def batcher_epoch(data) -> None:
    batcher = Batcher(data, BATCH, seed=0, device=torch.device("cpu"))
    for _ in range(batcher.per_epoch):
        batcher.next()["x"].sum()


def ours(folder: Path, size: int, cache_dir: Path) -> tuple[float, float, float]:
    """Seconds for (first open + epoch, cached re-open + epoch, a later epoch alone)."""
    timings = []
    for _ in range(2):
        settle()
        started = time.perf_counter()
        data = open_dataset(f"folder:{folder}", image_size=size, cache_dir=str(cache_dir))
        batcher_epoch(data)
        timings.append(time.perf_counter() - started)
    settle()
    started = time.perf_counter()
    batcher_epoch(data)
    return timings[0], timings[1], time.perf_counter() - started


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=2000, help="JPEGs to generate")
    p.add_argument("--side", type=int, default=256, help="their side in pixels")
    p.add_argument("--size", type=int, default=64, help="side they are resized and cropped to")
    p.add_argument("--threads", type=int, default=1,
                   help="torch threads of this process (DataLoader workers always use 1); on a few shared cores "
                        "more threads spin against the decoders and the timings turn to noise")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory(prefix="gan-studio-bench-") as tmp:
        folder, cache = Path(tmp) / "jpegs", Path(tmp) / "cache"
        started = time.perf_counter()
        write_jpegs(folder, args.n, args.side)
        print(f"wrote {args.n} {args.side}x{args.side} JPEGs in {time.perf_counter() - started:.1f} s; "
              f"torch threads {torch.get_num_threads()}")
        reference = imagefolder_epoch(folder, args.size)
        first, cached, later = ours(folder, args.size, cache)
    rows = [("a. ImageFolder+DataLoader(2 workers), 1 epoch", reference),
            ("b. folder: first open (decode) + 1 epoch", first),
            ("c. folder: cached re-open + 1 epoch", cached),
            ("d. folder: a later epoch, already open", later)]
    print(f"{'pipeline':50s} {'seconds':>8s} {'images/s':>10s} {'vs a':>7s}")
    for name, seconds in rows:
        print(f"{name:50s} {seconds:8.2f} {args.n / seconds:10.0f} {reference / seconds:7.2f}")
    print(f"RESULT first_epoch_vs_imagefolder={reference / first:.2f} cached_vs_imagefolder={reference / cached:.2f}")


if __name__ == "__main__":
    main()
