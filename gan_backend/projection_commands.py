"""``gan-studio project RUN --in PICTURE --out latent.json``: your picture in a run's latent space, from the terminal."""
from __future__ import annotations

import sys
from pathlib import Path


def run(args) -> int:
    """Project ``args.input`` with the run's generator; write the latent (and optionally its picture)."""
    from gan_backend.generator import load_generator
    from gan_backend.images import save_png
    from gan_backend.loader import open_checkpoint
    from gan_backend.projection import Projector
    from gan_backend.translator import read_picture

    picture = read_picture(Path(args.input))
    gen = load_generator(args.run_dir, args.device)
    critic = open_checkpoint(gen.path).discriminator(args.device) if "d" in args.loss.split("+") else None
    proj = Projector(gen, picture, args.space, args.loss, label=args.label, critic=critic)
    report = None
    for report in proj.run(max(1, args.steps), every=max(1, args.steps // 10)):
        print(f"step {report.step}/{args.steps} loss {report.loss:.4f} PSNR {report.psnr:.2f} dB", file=sys.stderr)
    latent = proj.result(run=str(args.run_dir))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    latent.save(out)
    if args.picture:
        save_png(report.picture, Path(args.picture))
    print(f"wrote the {latent.space} latent of {args.input} to {out} (PSNR {latent.psnr:.2f} dB, "
          f"{latent.seconds:.1f} s)", file=sys.stderr)
    return 0
