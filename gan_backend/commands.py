"""The CLI's subcommands; each takes parsed args and returns an exit code."""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from gan_backend.config import Config, ConfigError, describe_fields
from gan_backend.engine.reports import EvalReport, RunEnded, SampleReport, TrainReport


def cmd_train(args) -> int:
    if args.help_config:
        print("\n".join(describe_fields()))
        return 0
    cfg = config_from_args(args)
    if args.nproc > 1:
        from gan_backend.engine.distributed import launch_torchrun

        return launch_torchrun(args.nproc, sys.argv[1:])
    from gan_backend.engine.loop import Trainer

    return _drive(Trainer.new(cfg))


def config_from_args(args) -> Config:
    """The train subcommand's config: its --config file, then the flags, then each --set FIELD=VALUE."""
    cfg = Config.load(Path(args.config)) if args.config else Config()
    for key, value in vars(args).items():
        if "." in key and value is not None:
            cfg.set(key, value, source=f"--{key.split('.')[1].replace('_', '-')}")
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep:
            raise ConfigError(f"--set {item!r}: expected FIELD=VALUE, e.g. --set train.lr_d=1e-4")
        cfg.set(key.strip(), value, source=f"--set {key.strip()}")
    return cfg


def cmd_resume(args) -> int:
    from gan_backend.engine.loop import Trainer

    return _drive(Trainer.resume(args.run_dir, steps=args.steps))


def _drive(trainer) -> int:
    """Run the loop with a progress display; SIGTERM, SIGHUP and Ctrl+C stop it cleanly with a checkpoint.

    A run stopped by a signal exits with 128 + the signal's number (143 for SIGTERM), as the shell reports a
    process the signal ended, so schedulers and scripts see why it ended; ``resume`` continues from that step.
    """
    from gan_backend.engine.signals import exit_code, signal_name, stop_on_signals
    from gan_backend.engine.reports import TrainControl

    quiet = not trainer.dist.main  # under torchrun, rank 0 speaks for all
    control = TrainControl()
    bar = Progress(trainer.cfg.train.steps, trainer.step, stream=open(os.devnull, "w") if quiet else sys.stderr)
    notices = NoticeTail(trainer.run_dir)
    if not quiet:
        print(f"run directory: {trainer.run_dir.path}", file=sys.stderr)
    def say_stopping(signum: int) -> None:
        if not quiet:
            print(f"\n{signal_name(signum)}: finishing the step and saving a checkpoint...", file=sys.stderr)

    ended = None
    with stop_on_signals(control.stop, say_stopping) as received:
        for item in trainer.run(control):
            if isinstance(item, TrainReport):
                for message in notices.new() if not quiet else ():  # logged with this report: say them now
                    bar.note(f"notice: {message}")
                bar.update(item)
            elif isinstance(item, EvalReport):
                bar.note(eval_line(item))
            elif isinstance(item, RunEnded):
                ended = item
    bar.close()
    if not quiet:
        print(f"{ended.message}; checkpoint: {ended.checkpoint}", file=sys.stderr)
    if ended.reason in ("nan", "error"):
        if not quiet:
            print(f"error: {ended.message}", file=sys.stderr)
        return 1 if ended.reason == "nan" else 2
    return exit_code(received[0]) if received and ended.reason == "stopped" else 0


class NoticeTail:
    """The notices the engine logs to metrics.jsonl (``{"event": "notice"}`` rows), picked up as they are written.

    Starts at the file's end: a resumed run's earlier notices were said when they happened.
    """

    def __init__(self, run_dir):
        self.run_dir = run_dir
        self.offset = run_dir.metrics_path.stat().st_size if run_dir.metrics_path.exists() else 0

    def new(self) -> list[str]:
        rows, self.offset = self.run_dir.follow_metrics(self.offset)
        return [str(r.get("message", "")) for r in rows if r.get("event") == "notice"]


class Progress:
    """A one-line progress bar on a terminal; plain lines (at most every 2 s) otherwise."""

    def __init__(self, total: int, start: int, stream=sys.stderr):
        self.total, self.stream, self.tty = total, stream, stream.isatty()
        self.start_step, self.t0, self.last_line = start, time.perf_counter(), 0.0

    def update(self, r: TrainReport) -> None:
        done = r.step - self.start_step
        elapsed = time.perf_counter() - self.t0
        eta = elapsed / max(done, 1) * (self.total - r.step)
        unit = "p" if r.d_output == "probability" else "critic"
        text = (f"step {r.step}/{self.total} loss_d {r.losses.get('loss_d', float('nan')):.3f} "
                f"loss_g {r.losses.get('loss_g', float('nan')):.3f} D(x) {r.d_real:.2f} D(G(z)) {r.d_fake:.2f} ({unit}) "
                f"{r.images_per_sec:.0f} img/s ETA {int(eta // 60)}:{int(eta % 60):02d}")
        if self.tty:
            width = 24
            fill = int(width * r.step / max(1, self.total))
            self.stream.write(f"\r[{'#' * fill}{'.' * (width - fill)}] {text}\033[K")
            self.stream.flush()
        elif time.perf_counter() - self.last_line >= 2.0 or r.step == self.total:
            self.last_line = time.perf_counter()
            print(text, file=self.stream, flush=True)

    def note(self, text: str) -> None:
        """A line of its own, below the bar on a terminal."""
        print(("\r\033[K" if self.tty else "") + text, file=self.stream, flush=True)

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")


def eval_line(r: EvalReport) -> str:
    best = "best so far, saved best.pt" if r.is_best else f"best {r.best_value:.4g} at step {r.best_step}"
    return f"eval at step {r.step}: {r.metric} {r.value:.4g} ({best})"


class StageProgress:
    """``(stage, done, total)`` callbacks as a one-line bar on a terminal; a plain line per finished stage otherwise."""

    def __init__(self, stream=sys.stderr):
        self.stream, self.tty = stream, stream.isatty()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.tty:
            fill = int(24 * done / max(1, total))
            self.stream.write(f"\r[{'#' * fill}{'.' * (24 - fill)}] {stage} {done}/{total}\033[K")
            self.stream.flush()
        elif done == total:
            print(f"{stage}: {done}/{total}", file=self.stream, flush=True)

    def close(self) -> None:
        if self.tty:
            self.stream.write("\r\033[K")


def cmd_eval(args) -> int:
    from gan_backend.metrics.evaluate import evaluate, format_result

    progress = StageProgress(sys.stderr)
    try:
        result = evaluate(args.run_dir, n=args.n, inception=args.inception, progress=progress)
    finally:
        progress.close()
    print("\n".join(format_result(result)))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


def cmd_sample(args) -> int:
    import torch

    from gan_backend.generator import load_generator
    from gan_backend.images import make_grid, save_png
    from gan_backend.projection import draw_latent, load_projected_for

    gen = load_generator(args.run_dir, args.device)
    labels = parse_labels(args.labels, args.n, gen.num_classes)
    projected = load_projected_for(Path(args.latent), gen.net) if args.latent else None
    if projected is not None:  # a W or W+ latent of a style-based run: G's fixed noise, so n copies of one picture
        from gan_backend.images import to_uint8

        with torch.no_grad():
            images = np.repeat(to_uint8(draw_latent(gen.net, projected)), args.n, axis=0)
    else:
        z = (load_latent_file(Path(args.latent), gen.latent_dim).expand(args.n, -1).clone() if args.latent
             else gen.latents(args.n, args.seed))
        images = gen.images(z, labels)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".npz":
        extra = {"labels": labels.numpy().astype(np.int64)} if labels is not None else {}
        np.savez_compressed(out, images=images, **extra)
    elif out.suffix == ".png":
        save_png(make_grid(images), out)
    else:
        raise ValueError(f"--out {out}: use a .png (grid) or .npz (arrays) file name")
    print(f"wrote {len(images)} samples of {gen.meta['model']} at step {gen.step} to {out}", file=sys.stderr)
    return 0


def cmd_project(args) -> int:
    """``project RUN --in PICTURE --out latent.json`` (:mod:`gan_backend.projection_commands`)."""
    from gan_backend.projection_commands import run

    return run(args)


def parse_labels(text: str | None, n: int, num_classes: int):
    import torch

    if num_classes == 0:
        if text:
            raise ValueError("--labels: this model is not class-conditional")
        return None
    if not text:
        return torch.arange(n) % num_classes
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ValueError(f"--labels {text!r}: expected class indices like 3 or 0,1,2") from None
    bad = [v for v in values if not 0 <= v < num_classes]
    if bad or not values:
        raise ValueError(f"--labels {text!r}: class indices must be in 0..{num_classes - 1}")
    return torch.tensor(values)[torch.arange(n) % len(values)]


def load_latent_file(path: Path, dim: int):
    from gan_backend.latent import load_latent

    return load_latent(path, dim)["vector"][None]


def cmd_singan(args) -> int:
    """``singan train|sample|paint|animate`` (:mod:`gan_backend.singan_commands`)."""
    from gan_backend.singan_commands import run

    return run(args, _drive)


def cmd_list(args) -> int:
    if args.what == "devices":
        from gan_backend.engine.devices import list_devices

        for d in list_devices():
            print(f"{d.name:8s} {d.description}")
        return 0
    registry = _registry(args.what)
    for entry in registry:
        print(f"{entry.name:16s} {entry.summary}")
    return 0


def _registry(what: str):
    if what == "datasets":
        from gan_backend.data import DATASETS as reg
    elif what == "models":
        from gan_backend.models import MODELS as reg
    elif what == "losses":
        from gan_backend.losses import LOSSES as reg
    elif what == "penalties":
        from gan_backend.losses import PENALTIES as reg
    else:
        from gan_backend.tasks import TASKS as reg
    return reg


def cmd_datasets(args) -> int:
    from gan_backend.data import open_dataset

    options = {k: getattr(args, k) for k in ("image_size", "split", "crop", "cache_dir") if getattr(args, k) is not None}
    data = open_dataset(args.name, **options)
    if args.action == "inspect":
        print("\n".join(data.report.lines()))
        if args.thumbs:
            from gan_backend.data.export import thumbnail_grid
            from gan_backend.images import save_png

            save_png(thumbnail_grid(data), Path(args.thumbs))
            print(f"thumbnails: {args.thumbs}")
        return 0
    from gan_backend.data.export import export_dataset

    written = export_dataset(data, Path(args.out), args.n)
    print(f"wrote {written} items of {data.name} to {args.out}")
    return 0


def cmd_synthesize(args) -> int:
    from gan_backend.engine.devices import resolve_device
    from gan_backend.images import save_png
    from gan_backend.painter import load_painter

    out = Path(args.out)
    if out.suffix.lower() != ".png":
        raise ValueError(f"--out {out}: write a .png file")
    from gan_backend import sketch

    if sketch.is_sketch_model(args.model):  # a pix2pix of line drawings (edges:) or BW pictures (gray:)
        sketcher = sketch.load_sketcher(args.model, resolve_device(args.device))
        lines, notes = sketch.read_sketch(Path(args.labels))
        for note in notes:
            print(f"note: {args.labels}: {note}", file=sys.stderr)
        out.parent.mkdir(parents=True, exist_ok=True)
        save_png(sketch.draw(sketcher, lines), out)
        print(f"drew {args.labels} ({lines.shape[1]}x{lines.shape[0]}) with {sketcher.source} (step {sketcher.step}, "
              f"{sketcher.size}x{sketcher.size}) to {out}", file=sys.stderr)
        return 0
    painter = load_painter(args.model, resolve_device(args.device))
    notes: list[str] = []
    labels = painter.read_labels(Path(args.labels), notes)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    picture = painter.paint_map(labels, seed=args.seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    save_png(picture, out)
    h, w = labels.shape
    print(f"painted {args.labels} ({w}x{h}) with {painter.source} (step {painter.step}, {painter.size}x{painter.size}) "
          f"to {out} ({w}x{h})", file=sys.stderr)
    return 0


def cmd_translate(args) -> int:
    from gan_backend.engine.devices import resolve_device
    from gan_backend.translator import TranslateError, batch_jobs, list_pictures, load_translator, translate_files

    src, out = Path(args.input), Path(args.out)
    if not src.exists():
        raise TranslateError(f"--in {src}: no such file or folder")
    if src.is_dir() and out.is_file():
        raise TranslateError(f"--out {out}: is a file; give a folder to translate the folder {src} into")
    if not src.is_dir() and not out.is_dir() and out.suffix.lower() != ".png":
        raise TranslateError(f"--out {out}: write a .png file (or name a folder)")
    translator = load_translator(args.model, resolve_device(args.device))
    translator.check_direction(args.direction)
    model = f"{translator.source} ({translator.model}, step {translator.step})"
    results = lambda jobs: translate_files(translator, jobs, args.direction, args.full_res)  # noqa: E731
    if not src.is_dir():
        result = next(results([(src, out / f"{src.stem}.png" if out.is_dir() else out)]))
        if result.error:
            raise TranslateError(result.error)
        print(f"translated {src} {args.direction} with {model} to {result.output}", file=sys.stderr)
        return 0
    jobs, progress, failed = batch_jobs(list_pictures(src), out), StageProgress(sys.stderr), 0
    for done, result in enumerate(results(jobs), 1):
        if result.error:  # a bad picture is named and skipped; the batch goes on
            failed += 1
            progress.close()
            print(f"error: {result.error}", file=sys.stderr)
        progress("translate", done, len(jobs))
    progress.close()
    print(f"translated {len(jobs) - failed} of {len(jobs)} pictures {args.direction} with {model} to {out}",
          file=sys.stderr)
    return 2 if failed else 0


def cmd_export(args) -> int:
    """`export RUN --format F --out FILE` (a generator file), or `export tensorboard RUN [--out DIR]`."""
    if args.run_dir == "tensorboard" and args.tensorboard_run:
        return _export_tensorboard(args.tensorboard_run, args.out)
    if args.tensorboard_run:
        raise ValueError(f"export {args.run_dir} {args.tensorboard_run}: give one RUN, or `export tensorboard RUN`")
    if args.run_dir == "tensorboard" and not Path(args.run_dir).is_dir():
        raise ValueError("export tensorboard: name the run, e.g. `gan-studio export tensorboard runs/RUN`")
    if not args.format or not args.out:
        raise ValueError(f"export {args.run_dir}: give --format torchscript|onnx and --out FILE")
    from gan_backend.export import CHECK_LATENTS, export_generator

    result = export_generator(args.run_dir, args.format, args.out)
    meta = result.metadata
    print(f"exported {meta['network']} of {meta['model']} at step {meta['step']} as {result.fmt} to {result.path}; "
          f"max abs difference vs the checkpoint on {CHECK_LATENTS} fixed latents: {result.max_difference:.2g} "
          f"({result.checked_with})")
    return 0


def _export_tensorboard(run_dir: str, out: str | None) -> int:
    from gan_backend.engine.tensorboard import export_run

    folder, rows, images = export_run(run_dir, out)
    print(f"wrote TensorBoard event files of {run_dir} ({rows} metric rows, {images} sample grids) to {folder}; "
          f"view with: tensorboard --logdir {folder.parent}")
    return 0
