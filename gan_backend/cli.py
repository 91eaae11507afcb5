"""The headless CLI: train, resume, sample, eval, synthesize, translate, export, list, datasets.

`gan-studio` (:mod:`studio.cli`) adds the window on top: no subcommand opens it, `tour` tours it; every
other subcommand is parsed here and run by :func:`run`, so the backend never imports Qt.

Bad input (unknown names, broken files, absent devices) prints one line naming the culprit and exits 2.
"""
from __future__ import annotations

import argparse
import sys

from gan_backend.registry import UnknownNameError

# Mistakes a user can fix: one line, exit code 2, nothing on disk touched. Every error class the backend
# raises for them (DatasetError, CheckpointError, DeviceError, RunDirError, UnsupportedShapeError, ...)
# is a ValueError; naming them here would import torch before the window can open.
USER_ERRORS = (UnknownNameError, ValueError)
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m gan_backend.cli",
                                description="Train, sample and measure GANs headless (gan-studio adds the window).")
    add_version(p)
    add_commands(p.add_subparsers(dest="command"))
    return p


class _VersionAction(argparse.Action):
    """``--version``: the version, torch, CUDA/MPS and the folders in use (imports torch only when asked)."""

    def __init__(self, option_strings, dest, **kw):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kw)

    def __call__(self, parser, namespace, values, option_string=None):
        from gan_backend.about import diagnostics, format_diagnostics

        print(format_diagnostics(diagnostics()))
        parser.exit()


def add_version(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action=_VersionAction,
                        help="print the version, torch, CUDA/MPS availability and the folders used, then exit")


def add_commands(sub) -> None:
    """Add the headless subcommands to ``sub`` (an ``add_subparsers`` action; the window's CLI adds its own)."""
    t = sub.add_parser("train", help="train a GAN headless into a run directory")
    t.add_argument("--config", help="JSON config file (sections data/model/loss/train/run)")
    for flag, field in (("--dataset", "data.dataset"), ("--model", "model.name"), ("--loss", "loss.name"),
                        ("--steps", "train.steps"), ("--max-time", "train.max_time"),
                        ("--batch-size", "train.batch_size"), ("--device", "train.device"),
                        ("--run-dir", "run.run_dir"), ("--seed", "train.seed")):
        t.add_argument(flag, dest=field, metavar=field.split(".")[1].upper(), help=f"sets {field}")
    t.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                   help="any config field, e.g. --set train.lr_d=1e-4 --set ema=0")
    t.add_argument("--help-config", action="store_true", help="list every config field with its default and why")
    t.add_argument("--nproc", type=int, default=1, help="processes (GPUs) to train on; launches torchrun")

    r = sub.add_parser("resume", help="continue a run from its last checkpoint")
    r.add_argument("run_dir")
    r.add_argument("--steps", type=int, help="total step count to reach (default: the run's)")

    s = sub.add_parser("sample", help="generate images from a trained run")
    s.add_argument("run_dir", help="run directory or checkpoint file")
    s.add_argument("--n", type=int, default=64)
    s.add_argument("--out", required=True, help="FILE.png (a grid) or FILE.npz (images uint8 [N,H,W,C], labels)")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--labels", help="class indices for conditional models: '3' or '0,1,2' (cycled)")
    s.add_argument("--latent", help="JSON latent file saved by the explorer")
    s.add_argument("--device", default="cpu")

    pr = sub.add_parser("project", help="find the latent of your own picture (W+ for stylegan, z for dcgan)")
    pr.add_argument("run_dir", help="run directory or checkpoint file of an image GAN")
    pr.add_argument("--in", dest="input", required=True, help="the picture (any size; centre-cropped, resized)")
    pr.add_argument("--out", required=True, help="latent.json, for `sample --latent` and the explorer")
    pr.add_argument("--steps", type=int, default=300, help="optimisation steps (default 300)")
    pr.add_argument("--space", default="auto", choices=["auto", "w", "w+", "z"],
                    help="auto: W+ for style-based runs, z otherwise")
    pr.add_argument("--loss", default="pixels+ssim", help="terms joined by +: pixels, ssim, d (the run's D), "
                                                         "lpips:VGG16.pth (default pixels+ssim)")
    pr.add_argument("--picture", help="also write G's drawing of the latent to this PNG")
    pr.add_argument("--label", type=int, help="class of a conditional run")
    pr.add_argument("--device", default="cpu")

    ev = sub.add_parser("eval", help="measure a trained run: FID, KID, precision/recall, mode coverage, copies")
    ev.add_argument("run_dir", help="run directory (its last.pt) or checkpoint file, e.g. RUN/checkpoints/best.pt")
    ev.add_argument("--n", type=int, default=1000, help="generated samples, and real ones to compare with")
    ev.add_argument("--inception", metavar="FILE",
                    help="torchvision inception_v3 state_dict: FID/KID/PR in Inception features (never downloaded)")
    ev.add_argument("--json", metavar="FILE", help="also write the metrics to this JSON file")

    sy = sub.add_parser("synthesize", help="paint a picture from a label map (SPADE, pix2pix) or a line drawing (sketch)")
    sy.add_argument("model", help='"painter" or "sketch" (the shipped models), a paired run directory or a checkpoint')
    sy.add_argument("--labels", required=True, help="label map PNG (class indices, or colours of the model's palette); "
                                                    "for a sketch model, a drawing: dark lines on white")
    sy.add_argument("--out", required=True, help="IMAGE.png to write")
    sy.add_argument("--seed", type=int, default=0, help="style: each seed paints the map differently")
    sy.add_argument("--device", default="cpu")

    tr = sub.add_parser("translate", help="translate a picture or a folder with a cyclegan (either way) or pix2pix run")
    tr.add_argument("model", help='"translator" (the shipped day <-> night model), a run directory or checkpoint')
    tr.add_argument("--in", dest="input", required=True, help="a picture, or a folder of pictures")
    tr.add_argument("--out", required=True, help="OUT.png (or a folder) for a picture; a folder for a folder")
    tr.add_argument("--direction", choices=["AtoB", "BtoA"], default="AtoB", help="AtoB (e.g. day -> night) or BtoA")
    tr.add_argument("--full-res", action="store_true",
                    help="translate at each picture's own size in overlapping tiles (default: at the model's size)")
    tr.add_argument("--device", default="cpu")

    ex = sub.add_parser("export", help="write a run's generator as TorchScript or ONNX, or its TensorBoard event files",
                        description="export RUN --format torchscript|onnx --out FILE: G_ema (else G) of an "
                                    "image run as one file with its metadata, checked against the checkpoint. "
                                    "export tensorboard RUN [--out DIR]: TensorBoard event files from the run's "
                                    "metrics.jsonl and samples/ (default RUN/tensorboard).")
    ex.add_argument("run_dir", metavar="RUN", help='run directory or checkpoint file; or "tensorboard" then RUN')
    ex.add_argument("tensorboard_run", nargs="?", metavar="TB_RUN", help="with `export tensorboard`: the run directory")
    ex.add_argument("--format", choices=["torchscript", "onnx"], help="torchscript (torch.jit) or onnx (needs onnx)")
    ex.add_argument("--out", help="FILE to write (a folder for `export tensorboard`)")

    add_singan_commands(sub)

    ls = sub.add_parser("list", help="list registered datasets, models, losses, penalties or devices")
    ls.add_argument("what", choices=["datasets", "models", "losses", "penalties", "devices", "tasks"])

    d = sub.add_parser("datasets", help="inspect or export a dataset")
    dsub = d.add_subparsers(dest="action", required=True)
    di = dsub.add_parser("inspect", help="print a dataset's summary and skipped files")
    di.add_argument("name", help="registry name or kind:PATH, e.g. folder:~/faces, cifar10:~/cifar-10-batches-py")
    di.add_argument("--thumbs", help="write a PNG grid of sample thumbnails")
    de = dsub.add_parser("export", help="write N items as PNG files in the layout its loader reads back")
    de.add_argument("name", help="registry name or kind:PATH")
    de.add_argument("--n", type=int, default=100)
    de.add_argument("--out", required=True)
    for sp in (di, de):  # reading options of the on-disk kinds; left out, each kind's default applies
        sp.add_argument("--image-size", type=int, help="side to decode folder pictures to (default: automatic)")
        sp.add_argument("--split", help="train, test or val (on-disk kinds)")
        sp.add_argument("--crop", choices=["center", "random", "pad"], help="how folder pictures are made square")
        sp.add_argument("--cache-dir", help='folder for decoded arrays, or "off"')


def add_singan_commands(sub) -> None:
    """``singan train|sample|paint|animate``: the single-picture GAN (gan_backend.singan)."""
    sg = sub.add_parser("singan", help="learn one picture (SinGAN), then draw new ones at any size, paint, animate",
                        description="SinGAN (Shaham et al. 2019): a pyramid of patch GANs learnt from one picture. "
                                    "A stopped training continues with `gan-studio resume RUN`.")
    ssub = sg.add_subparsers(dest="action", required=True)
    st = ssub.add_parser("train", help="train on one picture")
    st.add_argument("picture", help="the picture (PNG, JPEG, ...); grey and RGBA are converted")
    st.add_argument("--max-size", type=int, default=0, help="longest side trained at (default 160 on a CPU, 250 on a GPU)")
    st.add_argument("--minutes", type=float, default=15.0, help="time budget, divided over the scales (0 = none)")
    st.add_argument("--iters", type=int, default=2000, help="iterations per scale at most (the paper's 2000)")
    st.add_argument("--run-dir", default="", help="where the run goes (default runs/<time>-picture)")
    st.add_argument("--device", default="auto")
    st.add_argument("--threads", type=int, default=0, help="CPU threads (0 = torch's default; 1 on a busy machine)")
    st.add_argument("--seed", type=int, default=0)
    ss = ssub.add_parser("sample", help="new pictures at any size")
    ss.add_argument("run_dir", metavar="RUN", help='a SinGAN run directory, checkpoint, or "singan" (the shipped one)')
    ss.add_argument("--size", help="WIDTHxHEIGHT (default the picture's), e.g. 320x120")
    ss.add_argument("--n", type=int, default=4, help="how many")
    ss.add_argument("--out", required=True, help="folder for sample_000.png ...")
    ss.add_argument("--seed", type=int, default=0)
    ss.add_argument("--start-scale", type=int, default=0, help="0 (coarsest) varies most; higher keeps more layout")
    sp = ssub.add_parser("paint", help="a colour painting (or a picture with a pasted region) redrawn in the picture's style")
    sp.add_argument("run_dir", metavar="RUN")
    sp.add_argument("--in", dest="input", required=True, help="the painting; any size (resized to the picture's)")
    sp.add_argument("--scale", type=int, default=1, help="injection scale: 1-2 for paintings, finer to harmonise")
    sp.add_argument("--mask", help="harmonise/edit: a PNG, white where the picture changed; only that is redrawn")
    sp.add_argument("--out", required=True, help="picture.png")
    sp.add_argument("--seed", type=int, default=0)
    sa = ssub.add_parser("animate", help="a looping GIF: a random walk in the coarsest noise")
    sa.add_argument("run_dir", metavar="RUN")
    sa.add_argument("--out", required=True, help="animation.gif")
    sa.add_argument("--frames", type=int, default=40)
    sa.add_argument("--seed", type=int, default=0)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.error("choose a subcommand (to open the window, run gan-studio with none)")
    return run(args)


def run(args: argparse.Namespace) -> int:
    """Run a parsed headless subcommand; a user's mistake prints one line and returns 2."""
    from gan_backend import commands

    try:
        return getattr(commands, f"cmd_{args.command}")(args)
    except USER_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
