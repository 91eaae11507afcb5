"""TensorBoard event files of a run, in ``RUN/tensorboard/``, so `tensorboard --logdir runs` shows GAN Studio runs.

    board = TensorBoardLog.open(run.path / "tensorboard", cfg, step, notices)   # rank 0, when run.tensorboard
    board.row(row)              # a metrics.jsonl row: numeric fields become scalars ("loss/loss_d", "eval/fid")
    board.image(step, grid)     # a sample grid, uint8 [H, W, C]
    board.close()

The trainer feeds it the rows it writes to metrics.jsonl; :func:`export_run` feeds it a finished run's
metrics.jsonl and samples/, so both give the same tags. TensorBoard is optional: without it installed a log
is off and does nothing; a folder it cannot write turns it off with one notice, and training goes on.
"""
from __future__ import annotations

import json
import logging
import math
from pathlib import Path

import numpy as np

from gan_backend.config import Config
from gan_backend.errors import first_line

log = logging.getLogger(__name__)
INSTALL_HINT = 'pip install "gan-studio[tensorboard]"'  # or plain `pip install tensorboard`
FOLDER = "tensorboard"  # inside the run directory
FLUSH_SECS = 10  # a live run shows up in TensorBoard within this many seconds
# Train-row fields by TensorBoard group; loss_* and penalty* go to "loss", anything else numeric to "train".
GROUPS = {"d_real": "D", "d_fake": "D", "grad_norm_d": "grad_norm", "grad_norm_g": "grad_norm",
          "lr_d": "lr", "lr_g": "lr", "images_per_sec": "speed",
          "epoch": "progress", "images_seen": "progress", "wall_time": "progress"}


class TensorBoardError(ValueError):
    """An export that cannot be written: tensorboard not installed, or the folder not writable."""


def summary_writer_class():
    """torch's SummaryWriter, or None when the tensorboard package is not installed."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:  # torch.utils.tensorboard imports tensorboard itself
        return None
    return SummaryWriter


def scalar_tag(key: str, event: str | None) -> str:
    """The TensorBoard tag of a metrics.jsonl field: "loss/loss_d", "D/d_real", "eval/fid", ..."""
    if event == "eval":
        return f"eval/{key}"
    if key.startswith(("loss", "penalty")):
        return f"loss/{key}"
    return f"{GROUPS.get(key, 'train')}/{key}"


def scalars(row: dict) -> dict[str, float]:
    """{tag: value} of a train or eval row's finite numbers; other events have none."""
    event = row.get("event")
    if event not in (None, "eval"):
        return {}
    return {scalar_tag(k, event): float(v) for k, v in row.items()
            if k != "step" and isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)}


def hparam_values(cfg: Config) -> dict[str, object]:
    """The config flattened to {"section.field": value} for TensorBoard's HParams tab."""
    return {f"{section}.{name}": value for section, fields in cfg.to_dict().items() for name, value in fields.items()}


class TensorBoardLog:
    """One run's event-file writer; off (every call does nothing) when it has no writer."""

    def __init__(self, writer=None, notices: list[str] | None = None):
        self.writer, self.notices = writer, notices if notices is not None else []

    @classmethod
    def off(cls) -> "TensorBoardLog":
        return cls()

    @classmethod
    def open(cls, folder: str | Path, cfg: Config, step: int = 0, notices: list[str] | None = None) -> "TensorBoardLog":
        """A log writing into ``folder``; on a resumed run (``step`` > 0) events after ``step`` are dropped
        (purge_step), as metrics.jsonl drops its rows, so the curves read as one run."""
        board = cls(None, notices)
        writer_class = summary_writer_class()
        if writer_class is None:
            return board  # the optional extra is not installed: silently off
        try:
            board.writer = writer_class(str(folder), purge_step=step + 1 if step > 0 else None, flush_secs=FLUSH_SECS)
            board._write_config(cfg, step)
        except (OSError, ValueError) as exc:
            board._fail(folder, exc)
        return board

    def row(self, row: dict) -> None:
        """A metrics.jsonl row: scalars of a train or eval row, the text of a notice."""
        step = int(row.get("step", 0))
        for tag, value in scalars(row).items():
            self._guard(lambda w: w.add_scalar(tag, value, step))
        if row.get("event") == "notice":
            self._guard(lambda w: w.add_text("notices", str(row.get("message", "")), step))

    def image(self, step: int, grid: np.ndarray) -> None:
        """A sample grid, uint8 [H, W, C]."""
        self._guard(lambda w: w.add_image("samples", np.ascontiguousarray(grid), step, dataformats="HWC"))

    def close(self) -> None:
        self._guard(lambda w: w.close())
        self.writer = None

    # --- internals ---
    def _write_config(self, cfg: Config, step: int) -> None:
        from torch.utils.tensorboard.summary import hparams

        # Markdown: four spaces make a code block, so the JSON keeps its indentation.
        text = "\n".join("    " + line for line in json.dumps(cfg.to_dict(), indent=2).splitlines())
        self.writer.add_text("config", text, step)
        metrics = {"loss/loss_d": 0.0, "loss/loss_g": 0.0}  # the columns the HParams tab shows (last values)
        if cfg.run.eval_every > 0:
            metrics[f"eval/{cfg.run.eval_metric}"] = 0.0
        # Into this writer's own file, not add_hparams's sub-run, so each run stays one run in TensorBoard.
        file_writer = self.writer._get_file_writer()
        for summary in hparams(hparam_values(cfg), metrics):
            file_writer.add_summary(summary, step)

    def _guard(self, write) -> None:
        if self.writer is None:
            return
        try:
            write(self.writer)
        except (OSError, ValueError) as exc:
            self._fail(self.writer.log_dir, exc)

    def _fail(self, folder, exc: BaseException) -> None:
        message = f"TensorBoard logging is off: cannot write {folder} ({first_line(exc)}); training goes on"
        self.notices.append(message)
        log.warning("warning: %s", message)
        self.writer = None


def export_run(run_path: str | Path, folder: str | Path | None = None) -> tuple[Path, int, int]:
    """Write a run's event files from its metrics.jsonl and samples/, as training would have.

    Into ``folder`` (default ``RUN/tensorboard``); event files already there are replaced. Returns
    (folder, scalar rows, images) written; TensorBoardError when tensorboard is missing or the folder unwritable.
    """
    from PIL import Image

    from gan_backend.engine.run_dir import RunDir

    run = RunDir.open(run_path)
    cfg = run.config()
    if summary_writer_class() is None:
        raise TensorBoardError(f"exporting to TensorBoard needs the tensorboard package: {INSTALL_HINT}")
    folder = Path(folder) if folder is not None else run.path / FOLDER
    for old in folder.glob("events.out.tfevents.*") if folder.is_dir() else ():
        old.unlink()
    board = TensorBoardLog.open(folder, cfg)
    rows = run.read_metrics()
    for row in rows:
        board.row(row)
    samples = run.samples()
    for step, path in samples:
        with Image.open(path) as im:
            board.image(step, np.asarray(im.convert("RGB")))
    if board.writer is None:
        raise TensorBoardError(board.notices[-1])
    board.close()
    return folder, sum(1 for row in rows if scalars(row)), len(samples)
