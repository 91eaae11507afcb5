"""``gan-studio singan train|sample|paint|animate``: the single-picture GAN from the terminal (gan_backend.singan)."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np


def run(args, drive) -> int:
    """Run ``singan ACTION``; ``drive`` runs a Trainer with the CLI's progress and signal handling."""
    from gan_backend import singan
    from gan_backend.images import save_png

    if args.action == "train":
        from gan_backend.engine.loop import Trainer

        cfg = singan.singan_config(args.picture, args.max_size, args.minutes, args.iters, args.device,
                                   args.run_dir, args.seed)
        cfg.train.num_threads = args.threads
        return drive(Trainer.new(cfg))
    model = singan.load_singan(args.run_dir)
    if args.action == "sample":
        w, h = singan.parse_size(args.size) if args.size else model.size
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for i in range(max(1, args.n)):
            save_png(model.sample(w, h, seed=args.seed + i, start_scale=args.start_scale), out / f"sample_{i:03d}.png")
        print(f"wrote {max(1, args.n)} samples of {w}x{h} to {out}", file=sys.stderr)
        return 0
    if args.action == "paint":
        image = _read_rgb(args.input)
        mask = _read_rgb(args.mask).mean(axis=2) > 127 if args.mask else None
        if (image.shape[1], image.shape[0]) != model.size:
            print(f"note: {args.input} is {image.shape[1]}x{image.shape[0]}; resized to the picture's "
                  f"{model.size[0]}x{model.size[1]}", file=sys.stderr)
        save_png(model.inject(image, args.scale, seed=args.seed, mask=mask), Path(args.out))
        print(f"wrote {args.out}", file=sys.stderr)
        return 0
    path = singan.save_gif(model.animate(args.frames, seed=args.seed), args.out)
    print(f"wrote {args.frames} frames to {path}", file=sys.stderr)
    return 0


def _read_rgb(path: str) -> np.ndarray:
    """A picture file as uint8 [H, W, 3]; ValueError naming the file when it cannot be read."""
    from gan_backend.data.decode import SkipFile, read_rgb

    if not Path(path).is_file():
        raise ValueError(f"{path}: no such file")
    try:
        return read_rgb(Path(path))
    except SkipFile as exc:
        raise ValueError(f"{path}: {exc}") from None
