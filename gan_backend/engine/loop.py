"""The training loop: one plain loop for every task, yielding reports; no Qt, no threads of its own.

    trainer = Trainer.new(cfg)            # or Trainer.resume(run_dir, steps=N)
    for item in trainer.run(control):     # TrainReport | SampleReport | EvalReport | RunEnded (always last)
        ...

The caller (CLI, Studio's TrainingWorker, a torchrun process) decides what to do with each item; the
run directory is written here, so every caller gets the same files.
"""
from __future__ import annotations

import math
import time
from typing import Iterator

import torch

from gan_backend.augment import check_augment
from gan_backend.config import Config
from gan_backend.data import load_data
from gan_backend.engine import checkpoint as ckpt
from gan_backend.engine.batches import Batcher, fitted_batch_size, small_data_notices
from gan_backend.engine import distributed as dist
from gan_backend.engine.devices import resolve_device
from gan_backend.engine.fastpaths import configure_backends
from gan_backend.engine.reports import EvalReport, RunEnded, SampleReport, TrainControl, TrainReport
from gan_backend.engine.run_dir import RunDir, default_run_dir
from gan_backend.engine.tensorboard import FOLDER as TENSORBOARD_FOLDER, TensorBoardLog
from gan_backend.errors import first_line
from gan_backend.losses import LOSSES, PENALTIES
from gan_backend.models import MODELS
from gan_backend.tasks import TASKS, Task, task_name_for


# Prefixes of task statistics logged as they are, besides losses: augmentation (aug_p, aug_rt) and
# SinGAN's place in its pyramid (scale_progress = scale index + the share of it done, scales).
REPORTED = ("aug_", "scale")
LATEST = ("scale",)  # statistics reported as their last value, not their mean over the report's steps


class TrainingError(RuntimeError):
    """The run cannot go on (non-finite loss); the message names the step and the loss."""


def default_threads() -> int:
    """torch's own default: one intra-op thread per core this process may use."""
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def check_names(cfg: Config) -> None:
    """Fail fast, before any data is generated, on a misspelt registry name."""
    MODELS.entry(cfg.model.name), LOSSES.entry(cfg.loss.name), PENALTIES.entry(cfg.loss.penalty)
    check_augment(cfg.train)


class Trainer:
    def __init__(self, cfg: Config, run: RunDir, task: Task, batcher: Batcher, info: dist.DistInfo = dist.DistInfo()):
        self.cfg, self.run_dir, self.task, self.batcher, self.dist = cfg, run, task, batcher, info
        self.step, self.images_seen, self.wall_time = 0, 0, 0.0
        self._evaluator, self._best = None, (None, None)  # run.eval_every: real-side statistics, (best value, step)
        self.board = TensorBoardLog.off()  # opened by run() on rank 0; fed every metrics row and sample grid

    # --- construction ---
    @classmethod
    def build(cls, cfg: Config, run: RunDir | None = None) -> "Trainer":
        check_names(cfg)
        device = resolve_device(cfg.train.device)
        info = dist.init_from_env(device.type)
        device = dist.device_for(info, device)
        configure_backends(device, cfg.train.cudnn_benchmark)
        # Always set it: torch's thread count is per thread and new threads inherit the last value set
        # anywhere (the app's renderers use one), so a training thread must not rely on the default.
        torch.set_num_threads(cfg.train.num_threads or default_threads())
        data = load_data(cfg)
        # A folder smaller than the batch trains with a smaller batch (saved in config.json, so a resume agrees).
        batch_size = fitted_batch_size(data, cfg.train.batch_size, info.world)
        notices = small_data_notices(data, cfg.train.batch_size, batch_size)
        cfg.train.batch_size = batch_size
        torch.manual_seed(cfg.train.seed)  # weights and noise: same seed, same run (and the same on every rank)
        task = TASKS.get(task_name_for(cfg))(cfg, data, device, info.rank, info.world)
        task.notices.extend(notices)
        if cfg.run.eval_every > 0:
            from gan_backend.metrics.evaluate import check_task

            check_task(task)  # an unmeasurable metric fails now, not at the first evaluation
        batcher = Batcher(data, cfg.train.batch_size, cfg.train.seed, device, cfg.train.channels_last,
                          info.rank, info.world, flip=cfg.data.flip)
        if run is None:
            path = dist.broadcast_str(str(cfg.run.run_dir or default_run_dir(cfg)), info)
            run = RunDir.create(path, cfg) if info.main else RunDir(path)
            dist.barrier(info)
        return cls(cfg, run, task, batcher, info)

    @classmethod
    def new(cls, cfg: Config) -> "Trainer":
        return cls.build(cfg)

    @classmethod
    def resume(cls, path, steps: int | None = None, checkpoint: str | None = None) -> "Trainer":
        run = RunDir.open(path)
        cfg = run.config()
        if steps is not None:
            cfg.train.steps = steps
        ck_path = checkpoint or run.last_checkpoint
        state = ckpt.load(ck_path)
        trainer = cls.build(cfg, run)
        trainer.load_state(state, ck_path)
        if trainer.dist.main:
            run.truncate_metrics_after(trainer.step)
        return trainer

    # --- checkpoints ---
    def meta(self) -> dict:
        d = self.task.data
        return {"model": self.cfg.model.name, "task": task_name_for(self.cfg), "shape": list(d.image_shape),
                "data_kind": d.kind, "class_names": list(d.class_names), "dataset": self.cfg.data.dataset,
                "palette": d.palette.tolist() if d.palette is not None else [],  # label colours, for painters
                **self.task.meta()}

    def state(self) -> dict:
        rng = {"torch": torch.get_rng_state()}
        if torch.cuda.is_available():
            rng["cuda"] = torch.cuda.get_rng_state_all()
        return {"config": self.cfg.to_dict(), "meta": self.meta(), "step": self.step,
                "batches_drawn": self.batcher.drawn, "images_seen": self.images_seen, "wall_time": self.wall_time,
                "rng": rng, **self.task.state_dict()}

    def load_state(self, state: dict, where) -> None:
        mine, theirs = self.meta(), state.get("meta", {})
        for key in ("model", "shape", "data_kind"):
            if theirs.get(key) != mine[key]:
                raise ckpt.CheckpointError(
                    f"{where}: checkpoint is for {key} {theirs.get(key)!r} but this run needs {mine[key]!r}; "
                    f"use a checkpoint of this run")
        try:
            self.task.load_state_dict(state)
        except (RuntimeError, KeyError, ValueError) as exc:
            raise ckpt.CheckpointError(f"{where}: checkpoint does not fit this run's networks "
                                       f"({first_line(exc, 160)})") from None
        self.step, self.images_seen = int(state["step"]), int(state["images_seen"])
        self.wall_time, self.batcher.drawn = float(state["wall_time"]), int(state["batches_drawn"])
        torch.set_rng_state(state["rng"]["torch"])
        if "cuda" in state["rng"] and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state["rng"]["cuda"])

    def save_checkpoint(self, with_step_file: bool, target=None) -> str:
        """Write the state to last.pt (and a step file), or with ``target`` to that path only (best.pt)."""
        run, keep = self.run_dir, self.cfg.run.keep_checkpoints
        if not self.dist.main:
            return str(target or run.last_checkpoint)
        if target is not None:
            ckpt.save_atomic(self.state(), target)
            return str(target)
        targets = [run.last_checkpoint] + ([run.step_checkpoint_path(self.step)] if with_step_file and keep > 0 else [])
        ckpt.save_atomic(self.state(), targets[0], also=targets[1:])
        run.prune_checkpoints(keep)
        return str(run.last_checkpoint)

    def save_sample(self) -> SampleReport | None:
        if not self.dist.main:
            return None
        with torch.random.fork_rng(devices=[self.task.device] if self.task.device.type == "cuda" else []):
            grid = self.task.sample_picture()
        path = self.run_dir.sample_path(self.step)
        from gan_backend.images import save_png

        save_png(grid, path)
        self.run_dir.append_metrics({"step": self.step, "event": "sample", "path": f"samples/{path.name}"})
        self.board.image(self.step, grid)
        return SampleReport(self.step, grid, str(path))

    # --- the loop ---
    def run(self, control: TrainControl | None = None) -> Iterator[TrainReport | SampleReport | RunEnded]:
        """Train to ``train.steps``; the last item is always a RunEnded.

        A write that fails (full disk, a folder removed under us) ends the run cleanly with reason "error":
        checkpoints are atomic, so the last good one is still there.
        """
        try:
            self._open_board()
            yield from self._run(control or TrainControl())
        except (ckpt.CheckpointError, OSError) as exc:
            last = self.run_dir.last_checkpoint
            kept = f"the last good checkpoint {last} is kept" if last.exists() else "no checkpoint was written"
            yield RunEnded(self.step, "error", f"{exc}; training stopped at step {self.step}, {kept}",
                           str(last) if last.exists() else "")
        finally:
            self.board.close()

    def _run(self, control: TrainControl) -> Iterator[TrainReport | SampleReport | RunEnded]:
        cfg, task = self.cfg, self.task
        steps, started = cfg.train.steps, time.perf_counter()
        meter = _Meter(self.images_seen)
        if self.step == 0 and not self.run_dir.samples() and self.dist.main:
            yield self.save_sample()
        reason = "done"
        measure = True
        while self.step < steps and not task.schedule_done():
            if (hold := self._poll(control, meter, started, measure)) is not None:
                reason = hold
                break
            for key, value in control.take_changes().items():
                self._apply_change(key, value)
            d_steps, g_steps = cfg.train.d_steps, cfg.train.g_steps
            self.task.progress = self.step / max(1, steps)
            stepped = self.step + 1
            measure = self._is_event_step(stepped, steps)
            try:
                for stats in task.train_step(self.batcher.next, d_steps, g_steps, measure):
                    meter.add(stats)
            except RuntimeError as exc:
                if not task.drop_compile(exc):
                    raise
                continue  # this step is lost; the run goes on eagerly
            self.step = stepped
            self.images_seen += d_steps * cfg.train.batch_size
            milestone = task.take_milestone()  # a stage of the task's schedule ended: sample and keep it
            if measure or milestone:
                report = self._report(meter)
                yield report
                if not all(math.isfinite(v) for v in report.losses.values()):
                    bad = next(k for k, v in report.losses.items() if not math.isfinite(v))
                    msg = (f"{bad} became {report.losses[bad]} by step {self.step}; stopped without saving, the last "
                           f"good checkpoint is kept. Try a lower learning rate, a penalty, or another loss")
                    yield RunEnded(self.step, "nan", msg, str(self.run_dir.last_checkpoint))
                    return
                if (milestone or self.step % cfg.run.sample_every == 0) and self.dist.main:
                    yield self.save_sample()
                if milestone or self.step % cfg.run.checkpoint_every == 0:
                    self.save_checkpoint(with_step_file=True)
                if self._is_eval_step(self.step, steps) and self.dist.main:
                    yield self.evaluate()
        if self.dist.main and self.run_dir.samples() and self.run_dir.samples()[-1][0] != self.step:
            yield self.save_sample()
        path = self.save_checkpoint(with_step_file=reason == "done")
        messages = {"done": f"finished {self.step} steps", "stopped": f"stopped at step {self.step}",
                    "time": f"time budget of {cfg.train.max_time:g} s spent at step {self.step}"}
        self._log({"step": self.step, "event": "end", "reason": reason})
        yield RunEnded(self.step, reason, messages[reason], path)

    def _is_event_step(self, step: int, steps: int) -> bool:
        r = self.cfg.run
        everies = (r.log_every, r.sample_every, r.checkpoint_every) + ((r.eval_every,) if r.eval_every > 0 else ())
        return step == steps or any(step % every == 0 for every in everies)

    def _is_eval_step(self, step: int, steps: int) -> bool:
        every = self.cfg.run.eval_every
        return every > 0 and (step % every == 0 or step == steps)

    def evaluate(self) -> EvalReport:
        """Score G_ema (rank 0; the training RNG is left untouched), log an "eval" row, keep best.pt."""
        from gan_backend.metrics import evaluate as ev

        r = self.cfg.run
        if self._evaluator is None:
            self._evaluator = ev.evaluator_for_task(self.task, r.eval_n)
            self._best = ev.best_logged(self.run_dir.read_metrics(), r.eval_metric)  # earlier evals, after a resume
        metrics = ev.evaluate_task(self.task, self._evaluator, r.eval_n)
        value = metrics.get(r.eval_metric, math.nan)
        is_best = ev.is_better(r.eval_metric, value, self._best[0])
        if is_best:
            self._best = (value, self.step)
        report = EvalReport(self.step, metrics, r.eval_metric, value, *self._best, is_best)
        self._log(report.to_row())
        if is_best:
            report.checkpoint = self.save_checkpoint(with_step_file=False, target=self.run_dir.best_checkpoint)
        return report

    def _log(self, row: dict) -> None:
        if self.dist.main:
            self.run_dir.append_metrics(row)
            self.board.row(row)

    def _open_board(self) -> None:
        """TensorBoard event files beside metrics.jsonl (rank 0, run.tensorboard, tensorboard installed)."""
        if self.dist.main and self.cfg.run.tensorboard:
            self.board = TensorBoardLog.open(self.run_dir.path / TENSORBOARD_FOLDER, self.cfg, self.step,
                                             self.task.notices)

    def _poll(self, control: TrainControl, meter: "_Meter", started: float, measured: bool) -> str | None:
        """Handle pause, checkpoint-now, stop and the time budget between steps.

        Returns "stopped" or "time" to end the run. Under torchrun the ranks must agree, so the decision
        is taken together, and only after report steps (a collective per step would cost a sync).
        """
        budget = 0.0 if self.task.owns_time_budget else self.cfg.train.max_time
        out_of_time = bool(budget) and time.perf_counter() - started >= budget
        if self.dist.world > 1:
            if not measured:
                return None
            if dist.any_rank(control.stop.is_set(), self.dist, self.task.device):
                return "stopped"
            return "time" if dist.any_rank(out_of_time, self.dist, self.task.device) else None
        if out_of_time:
            return "time"
        if control.pause.is_set():
            paused_at = time.perf_counter()
            while control.pause.is_set() and not control.stop.is_set():
                if control.checkpoint_now.is_set():
                    control.checkpoint_now.clear()
                    self.save_checkpoint(with_step_file=False)
                time.sleep(0.02)
            meter.skip(time.perf_counter() - paused_at)
        if control.checkpoint_now.is_set():
            control.checkpoint_now.clear()
            self.save_checkpoint(with_step_file=False)
        return "stopped" if control.stop.is_set() else None

    def _apply_change(self, key: str, value) -> None:
        """Set one of ``config.LIVE_FIELDS``: a learning rate reaches its optimizer, a step count the loop."""
        if isinstance(getattr(self.cfg.train, key), float):
            value = float(value)
        else:
            value = max(1, int(value))  # the int live fields are updates per step: at least one
        setattr(self.cfg.train, key, value)
        if key.startswith("lr_"):
            self.task.set_lr(key[-1].upper(), value)  # "lr_d" -> D's optimizer
        self._log({"step": self.step, "event": "change", "field": f"train.{key}", "value": value})

    def _report(self, meter: "_Meter") -> TrainReport:
        stats, rate, active = meter.flush(self.images_seen, lambda t: dist.all_mean(t, self.dist))
        self.wall_time += active
        task = self.task
        losses = {k: stats[k] for k in task.loss_names if k in stats}
        losses.update({k: v for k, v in stats.items() if k.startswith(("loss_", "penalty"))})
        report = TrainReport(
            step=self.step, epoch=round(self.batcher.epoch, 4), images_seen=self.images_seen,
            wall_time=round(self.wall_time, 3), images_per_sec=round(rate, 2), losses=losses,
            d_real=stats.get("d_real", math.nan), d_fake=stats.get("d_fake", math.nan),
            d_output=getattr(getattr(task, "loss", None), "output", "critic"),
            grad_norm_d=stats.get("grad_norm_d", math.nan), grad_norm_g=stats.get("grad_norm_g", math.nan),
            lr_d=task.lr("D"), lr_g=task.lr("G"), extras={k: v for k, v in stats.items() if k.startswith(REPORTED)})
        self._log(report.to_row())
        while task.notices:
            self._log({"step": self.step, "event": "notice", "message": task.notices.pop(0)})
        return report


class _Meter:
    """Sums of step statistics on the device (no host sync per step), read once per report."""

    def __init__(self, images_seen: int):
        self.sums: dict[str, torch.Tensor] = {}
        self.counts: dict[str, int] = {}
        self.images_at, self.time_at, self.paused = images_seen, time.perf_counter(), 0.0

    def add(self, stats: dict[str, torch.Tensor]) -> None:
        for k, v in stats.items():
            if k.startswith(LATEST):  # a position (where SinGAN is in its pyramid), not a rate to average
                self.sums[k], self.counts[k] = v.detach().clone(), 1
                continue
            self.sums[k] = self.sums[k] + v.detach() if k in self.sums else v.detach().clone()
            self.counts[k] = self.counts.get(k, 0) + 1

    def skip(self, seconds: float) -> None:
        """Time spent paused: not training, so not in the rate or the wall time."""
        self.paused += seconds

    def flush(self, images_seen: int, reduce=lambda t: t) -> tuple[dict[str, float], float, float]:
        """(mean of each statistic, images/s, active seconds) since the previous flush;
        ``reduce`` averages the means over ranks."""
        keys = sorted(self.sums)  # the same order on every rank
        values = reduce(torch.stack([self.sums[k].float() / self.counts[k] for k in keys])).tolist() if keys else []
        now = time.perf_counter()
        active = max(1e-9, now - self.time_at - self.paused)
        rate = (images_seen - self.images_at) / active
        self.sums, self.counts, self.images_at, self.time_at, self.paused = {}, {}, images_seen, now, 0.0
        return dict(zip(keys, values)), rate, active
