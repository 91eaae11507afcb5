"""Evaluate a generator: FID, KID, precision/recall against real data, and mode coverage.

    evaluate("runs/x", n=1000, progress=fn)      # `gan-studio eval`: a run directory or a checkpoint
    ev = evaluator_for_task(task, n)              # the trainer's eval_every: real side computed once ...
    evaluate_task(task, ev, n)                    # ... then G_ema scored in-process, training RNG untouched

Images are compared in a feature space (:mod:`gan_backend.metrics.features`); 2-D points directly in
the plane, plus the modes covered and high-quality share (VEEGAN / Unrolled GAN) for ring8 and grid25.
With a classifier, the class histogram of the samples shows mode collapse on image data. `eval` of an image
run also reports ``copies`` (:mod:`gan_backend.metrics.memorisation`): the share of samples that sit on a
training picture, in the feature space and in pixels.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from gan_backend.data import load_data
from gan_backend.metrics import features as fs
from gan_backend.metrics.classifier import SmallClassifier, probabilities
from gan_backend.metrics.frechet import fid
from gan_backend.metrics.kernel import kid
from gan_backend.metrics.manifold import precision_recall
from gan_backend.metrics.memorisation import copy_check, flat
from gan_backend.metrics.modes import MODES, mode_coverage

EVAL_SEED = 2024  # latents of evaluated samples: the same for every evaluation of every run
REAL_SEED = 0  # picks the real reference items
CHUNK = 500  # samples generated and embedded per progress tick
# KID's mean and std over this many random subsets of up to KID_SUBSET samples, and at most half the set, so
# that subsets differ and their spread is an error bar.
KID_SUBSETS, KID_SUBSET = 20, 1000
PR_K = 3  # k of the k-NN manifolds of precision/recall
COPIES_REFERENCE = 5000  # training items searched for copies (all of a smaller set; a bigger one is sampled)
SMALL_SET = 2000  # under this many training items KID leads: FID is biased upward at few samples
# Metrics that can choose checkpoints/best.pt, and whether lower or higher is better.
DIRECTIONS = {"fid": "min", "kid": "min", "precision": "max", "recall": "max", "modes_covered": "max",
              "high_quality": "max", "classes_covered": "max", "class_entropy": "max"}
GAN_TASKS = ("unconditional", "conditional")

Progress = Callable[[str, int, int], None]  # (stage, done, total), e.g. ("generating", 512, 1000)


@dataclass
class Evaluator:
    """The real side of the comparison, computed once: reference features and how to embed samples."""

    dataset: str
    kind: str  # "image" or "points"
    real: np.ndarray  # float64 [M, D] reference features (points: the [M, 2] coordinates)
    space: fs.FeatureSpace | None  # None for points, which are measured as they are
    classifier: SmallClassifier | None = None  # gives the class histogram (image datasets it was trained for)
    class_names: list[str] = field(default_factory=list)

    def embed(self, samples: np.ndarray, progress: Progress | None = None) -> np.ndarray:
        """Samples (uint8 [N, H, W, C] images or float [N, 2] points) -> float64 [N, D] features."""
        if self.space is None:
            return np.asarray(samples, np.float64)
        return _chunked(self.space.embed, samples, "features", progress)

    def score(self, samples: np.ndarray, labels: np.ndarray | None = None, progress: Progress | None = None,
              feats: np.ndarray | None = None) -> dict:
        """Every metric this dataset supports for ``samples``; ``labels``: the classes a conditional G was given;
        ``feats``: the samples' features when already embedded."""
        feats = self.embed(samples, progress) if feats is None else feats
        if progress:
            progress("metrics", 0, 1)
        out = {"fid": fid(feats, self.real)}
        size = max(2, min(KID_SUBSET, len(feats) // 2, len(self.real) // 2))
        out["kid"], out["kid_std"] = kid(feats, self.real, subsets=KID_SUBSETS, subset_size=size)
        out["precision"], out["recall"] = precision_recall(self.real, feats, k=PR_K)
        if self.dataset in MODES:
            means, std = MODES[self.dataset]
            out.update(mode_coverage(np.asarray(samples, np.float64), means(), std))
        if self.classifier is not None:
            out.update(class_coverage(probabilities(self.classifier, samples), labels))
        if progress:
            progress("metrics", 1, 1)
        return out


def class_coverage(probs: np.ndarray, labels: np.ndarray | None = None) -> dict:
    """Class histogram of samples [N, K] class probabilities: a class is covered with >= 1/(4K) of the samples.

    ``class_entropy`` is the histogram's entropy over log K: 1 when every class is equally common, 0 when
    all samples are one class. ``label_match``: share of samples classified as the label G was given.
    """
    k = probs.shape[1]
    share = np.bincount(probs.argmax(axis=1), minlength=k) / max(1, len(probs))
    nz = share[share > 0]
    out = {"classes_covered": int((share >= 1 / (4 * k)).sum()), "classes_total": k,
           "class_entropy": abs(float((nz * np.log(nz)).sum() / math.log(k))) if k > 1 else 1.0,
           "class_histogram": [round(float(s), 4) for s in share]}
    if labels is not None:
        out["label_match"] = float((probs.argmax(axis=1) == np.asarray(labels)).mean())
    return out


def _chunked(fn, items: np.ndarray, stage: str, progress: Progress | None) -> np.ndarray:
    """``fn`` over ``items`` in chunks of CHUNK, reporting progress after each chunk."""
    out = []
    for start in range(0, len(items), CHUNK):
        out.append(fn(items[start:start + CHUNK]))
        if progress:
            progress(stage, min(start + CHUNK, len(items)), len(items))
    return np.concatenate(out)


def build_evaluator(data, dataset: str, n: int, inception: str | Path | None = None,
                    progress: Progress | None = None) -> Evaluator:
    """Reference features of up to ``n`` items of ``data`` (an ArrayDataset of ``dataset``)."""
    if data.kind == "points":
        return Evaluator(dataset, "points", _pick(data.x, n).astype(np.float64), None)
    if data.kind != "image":
        raise fs.EvalError(f"dataset {dataset!r} holds {data.kind} data; supported: {fs.supported_text()}")
    space = fs.image_space(dataset, data.image_shape, inception)
    classifier, names = _histogram_classifier(dataset, data.image_shape)
    ev = Evaluator(dataset, "image", np.empty((0, 0)), space, classifier, names)
    relabel = (lambda _stage, done, total: progress("real features", done, total)) if progress else None
    ev.real = ev.embed(_pick(data.x, n), relabel)
    return ev


def _histogram_classifier(dataset: str, shape) -> tuple[SmallClassifier | None, list[str]]:
    """The shipped classifier that can label this dataset's images, if any (also with --inception)."""
    name = fs.classifier_name(dataset)
    if name is None or tuple(shape) != fs.SHIPPED[name][1]:
        return None, []
    return fs.shipped_classifier(name), fs.SHIPPED[name][2]


def _pick(x: np.ndarray, n: int) -> np.ndarray:
    """Up to ``n`` items, the same ones every time (REAL_SEED)."""
    if len(x) <= n:
        return x
    return x[np.sort(np.random.default_rng(REAL_SEED).choice(len(x), n, replace=False))]


# --- the trainer's in-process evaluation ---
def check_task(task) -> None:
    """Fail before training when ``run.eval_every`` is set but this run cannot be evaluated as asked."""
    from gan_backend.tasks import task_name_for

    cfg, data = task.cfg, task.data
    metric, name = cfg.run.eval_metric, task_name_for(cfg)
    if name not in GAN_TASKS:
        raise fs.EvalError(f"run.eval_every: only GAN runs ({', '.join(GAN_TASKS)}) can be evaluated; this is {name}")
    if metric not in DIRECTIONS:
        raise fs.EvalError(f"run.eval_metric {metric!r}: choose one of {', '.join(DIRECTIONS)}")
    if data.kind == "image":
        fs.image_space(cfg.data.dataset, data.image_shape)  # raises when no classifier fits
    available = available_metrics(cfg.data.dataset, data.image_shape)
    if metric not in available:
        raise fs.EvalError(f"run.eval_metric {metric!r} is not measured on {cfg.data.dataset}; "
                           f"choose one of {', '.join(available)}")


def available_metrics(dataset: str, shape: tuple[int, int, int]) -> list[str]:
    """The metrics of DIRECTIONS measured for ``dataset`` with items of ``shape`` (C, H, W)."""
    skip = set()
    if dataset not in MODES:
        skip |= {"modes_covered", "high_quality"}
    if _histogram_classifier(dataset, shape)[0] is None:
        skip |= {"classes_covered", "class_entropy"}
    return [m for m in DIRECTIONS if m not in skip]


def _rng_fork(task):
    return torch.random.fork_rng(devices=[task.device] if task.device.type == "cuda" else [])


def evaluator_for_task(task, n: int) -> Evaluator:
    with _rng_fork(task):
        return build_evaluator(task.data, task.cfg.data.dataset, n)


def evaluate_task(task, ev: Evaluator, n: int) -> dict:
    """Score the task's G_ema on ``n`` samples from fixed latents; the global RNG state is left as it was."""
    from gan_backend.images import to_uint8

    with _rng_fork(task):
        z, y = task.make_inputs(n, seed=EVAL_SEED)
        outs = [task.generate(z[i:i + CHUNK], None if y is None else y[i:i + CHUNK]) for i in range(0, n, CHUNK)]
        out = torch.cat(outs)
        samples = out.cpu().numpy() if ev.kind == "points" else to_uint8(out)
        return ev.score(samples, None if y is None else y.cpu().numpy())


def is_better(metric: str, value: float, best: float | None) -> bool:
    """Whether ``value`` beats ``best`` (None: nothing yet) in the metric's direction."""
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return False
    if best is None:
        return True
    return value < best if DIRECTIONS[metric] == "min" else value > best


def best_logged(rows: list[dict], metric: str) -> tuple[float | None, int | None]:
    """(best value, its step) among the eval rows of metrics.jsonl, e.g. to go on after a resume."""
    best, step = None, None
    for row in rows:
        if row.get("event") == "eval" and is_better(metric, row.get(metric), best):
            best, step = row[metric], row["step"]
    return best, step


# --- `gan-studio eval` ---
def evaluate(path: str | Path, n: int = 1000, inception: str | Path | None = None,
             progress: Progress | None = None) -> dict:
    """Metrics of the generator in a run directory (its last.pt) or a checkpoint file; see :func:`format_result`."""
    from gan_backend.generator import load_generator

    if n < PR_K + 2:
        raise ValueError(f"--n {n}: evaluate at least {PR_K + 2} samples (1000 or more for steady numbers)")
    gen = load_generator(path)  # RunDirError / CheckpointError naming the path
    dataset = gen.meta.get("dataset", gen.cfg.data.dataset)
    if gen.meta.get("task") not in GAN_TASKS:
        raise fs.EvalError(f"{path}: a {gen.meta.get('task')} run; eval measures GAN runs ({', '.join(GAN_TASKS)})")
    if gen.meta.get("data_kind") == "image" and not inception:
        fs.image_space(dataset, tuple(gen.meta["shape"]))  # fail before generating the real data set
    data = load_data(gen.cfg)
    ev = build_evaluator(data, dataset, n, inception, progress)
    labels = torch.arange(n) % gen.num_classes if gen.num_classes else None
    samples = _generate(gen, gen.latents(n, EVAL_SEED), labels, ev.kind == "points", progress)
    feats = ev.embed(samples, progress)
    result = ev.score(samples, None if labels is None else labels.numpy(), progress, feats=feats)
    if ev.kind == "image":
        result.update(copies(ev, data.x, n, samples, feats, progress))
    note = fs.classifier_note(dataset) if ev.space and not inception else ""
    return {"run": str(path), "step": gen.step, "dataset": dataset, "n": n, "n_real": len(ev.real),
            "n_train": len(data), "features": ev.space.name if ev.space else "2-D coordinates", "note": note,
            "class_names": ev.class_names, **result}


def copies(ev: Evaluator, train: np.ndarray, n: int, samples: np.ndarray, feats: np.ndarray,
           progress: Progress | None = None) -> dict:
    """Share of ``samples`` that sit on a training picture, in ``ev``'s features and in pixels (memorisation).

    ``train``: the run's training images uint8 [M, H, W, C], of which up to COPIES_REFERENCE are searched.
    """
    if len(train) <= n:  # build_evaluator embedded the whole training set already
        reference, ref_feats = train, ev.real
    else:
        reference = _pick(train, COPIES_REFERENCE)
        relabel = (lambda _stage, done, total: progress("training features", done, total)) if progress else None
        ref_feats = ev.embed(reference, relabel)
    in_features = copy_check(feats, ref_feats)
    same_shape = samples.shape[1:] == reference.shape[1:]
    in_pixels = copy_check(flat(samples), flat(reference)) if same_shape else None
    return {"copies": in_features.share, "copies_pixels": in_pixels.share if in_pixels else float("nan"),
            "copies_reference": len(reference), "copies_threshold": in_features.threshold,
            "copies_pixels_threshold": in_pixels.threshold if in_pixels else float("nan")}


def _generate(gen, z: torch.Tensor, labels: torch.Tensor | None, points: bool, progress: Progress | None) -> np.ndarray:
    """Samples of a TrainedGenerator in chunks: float32 [N, 2] points or uint8 [N, H, W, C] images."""
    out = []
    for i in range(0, len(z), CHUNK):
        y = None if labels is None else labels[i:i + CHUNK]
        out.append(gen(z[i:i + CHUNK], y).cpu().numpy() if points else gen.images(z[i:i + CHUNK], y))
        if progress:
            progress("generating", min(i + CHUNK, len(z)), len(z))
    return np.concatenate(out)


def format_result(r: dict) -> list[str]:
    """Lines for the terminal, one metric per line."""
    lines = [f"{r['run']} at step {r['step']} ({r['dataset']}): {r['n']} samples vs {r['n_real']} real",
             f"features: {r['features']}"] + ([f"note: {r['note']}"] if r.get("note") else [])
    fid_line, kid_line = f"FID        {r['fid']:.4f}", f"KID        {r['kid']:.5f} +- {r['kid_std']:.5f}"
    if r.get("n_train", SMALL_SET) < SMALL_SET:
        lines += [kid_line, f"{fid_line}  (biased upward at few samples: with {r['n_train']} training items, "
                            f"compare runs by KID)"]
    else:
        lines += [fid_line, kid_line]
    lines += [f"precision  {r['precision']:.3f}", f"recall     {r['recall']:.3f}"]
    if "copies" in r:
        lines.append(f"copies     {r['copies']:.1%} in features, {r['copies_pixels']:.1%} in pixels (samples closer "
                     f"to one of {r['copies_reference']} training items than half their typical spacing)")
    if "modes_covered" in r:
        lines.append(f"modes covered {r['modes_covered']}/{r['modes_total']}, high quality {r['high_quality']:.1%}")
    if "classes_covered" in r:
        k = r["classes_total"]
        lines.append(f"classes covered {r['classes_covered']}/{k} (share >= {1 / (4 * k):.1%}), "
                     f"entropy {r['class_entropy']:.3f} (1 = uniform)")
        names = r.get("class_names") or [str(i) for i in range(k)]
        lines.append("class histogram: " + ", ".join(f"{c} {s:.1%}" for c, s in zip(names, r["class_histogram"])))
    if "label_match" in r:
        lines.append(f"label match {r['label_match']:.1%} (samples classified as the label G was given)")
    return lines
