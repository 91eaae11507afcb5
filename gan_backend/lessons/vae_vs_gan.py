"""Lesson 5, VAE vs GAN: the ``vae`` model and DCGAN trained by the same engine on glyphs, at equal time.

Each step trains whichever run has had less training time to its next report, so both get the same seconds.
The page shows both models' samples, the VAE's reconstructions, and two measures over time on fresh samples:
sharpness (mean |Laplacian|; blur lowers it) and class coverage (classes of 10 the shipped glyph classifier
finds among the samples, each with at least 1/40 of them).
"""
from __future__ import annotations

import numpy as np
import torch

from gan_backend.images import to_uint8
from gan_backend.lessons.frames import FAKE, MUTED, SECOND, Experiment, LessonFrame, Picture, Plot, line
from gan_backend.lessons.live_run import LiveRun
from gan_backend.lessons.pictures import class_coverage, grid, sharpness

RUNS = {"vae": "VAE", "dcgan": "DCGAN"}
COLOURS = {"vae": SECOND, "dcgan": FAKE}
SHOWN = 36  # samples drawn per model (6 x 6)
MEASURED = 300  # samples behind each sharpness / coverage point
MEASURE_EVERY_S = 1.0  # training seconds between points of the curves, per model


class VaeVsGan(Experiment):
    """Lesson 5. A step is one report (``run.log_every`` training steps) of the run that is behind in time."""

    columns = (3, 2)
    frame_interval = 0.5
    tour_steps = 80  # reports (400 training steps) in all, or tour_seconds: digits begin to show
    tour_seconds = 18.0

    def __init__(self, seed: int = 0, n: int = 4000):
        super().__init__()
        self.runs = {name: LiveRun({"model.name": name, "data.n": n, "train.seed": seed}) for name in RUNS}
        gen = torch.Generator().manual_seed(seed + 11)
        self.z = torch.randn(SHOWN, self.runs["vae"].task.cfg.model.latent_dim, generator=gen)
        self.z_measure = torch.randn(MEASURED, self.z.shape[1], generator=gen)
        data = self.runs["vae"].task.data
        self.real = data.x[np.linspace(0, len(data.x) - 1, 8).astype(int)]  # uint8 [8, 28, 28, 1]
        self.real_sharpness = sharpness(data.x[:MEASURED])
        self.history: dict[str, list[tuple[float, float, int]]] = {name: [] for name in RUNS}  # (s, sharp, classes)
        self._measured_at = {name: -1.0 for name in RUNS}
        for name in RUNS:
            self._measure(name)

    def step(self) -> None:
        name = min(self.runs, key=lambda n: self.runs[n].seconds)
        self.runs[name].advance()
        if self.runs[name].seconds - self._measured_at[name] >= MEASURE_EVERY_S:
            self._measure(name)
        self.steps += 1

    def _measure(self, name: str) -> None:
        run = self.runs[name]
        pictures = run.samples(self.z_measure)
        self.history[name].append((run.seconds, sharpness(pictures), class_coverage(pictures)["classes_covered"]))
        self._measured_at[name] = run.seconds

    def reconstructions(self) -> np.ndarray:
        """uint8 [16, 28, 28, 1]: 8 real glyphs, then the VAE's reconstructions of them."""
        x = torch.from_numpy(self.real).permute(0, 3, 1, 2).float() / 127.5 - 1
        return np.concatenate([self.real, to_uint8(self.runs["vae"].task.reconstruct(x))])

    def frame(self) -> LessonFrame:
        panels = {f"{name}_samples": Picture(f"{title}: {self.runs[name].step} steps, {self.runs[name].seconds:.0f} s",
                                             grid(self.runs[name].samples(self.z), 6))
                  for name, title in RUNS.items()}
        panels["recon"] = Picture("Real (top), VAE reconstructions", grid(self.reconstructions(), 4))
        sharp = {name: line(*self._curve(name, 1), colour=COLOURS[name], label=title) for name, title in RUNS.items()}
        end = max(max(self._curve(n, 1)[0], default=1.0) for n in RUNS)
        sharp["real"] = line([0, end], [self.real_sharpness] * 2, style="dashed", colour=MUTED, width=1,
                             label="real glyphs")
        panels["sharpness"] = Plot("Sharpness (mean |Laplacian|)", sharp, "training seconds", "sharpness")
        panels["coverage"] = Plot("Classes found by the classifier (of 10)",
                                  {name: line(*self._curve(name, 2), colour=COLOURS[name], label=title)
                                   for name, title in RUNS.items()}, "training seconds", "classes", y_range=(0, 10.5))
        return LessonFrame(self.steps, panels, self._readout(), self.columns, self.values())

    def _curve(self, name: str, column: int) -> tuple[np.ndarray, np.ndarray]:
        rows = np.array(self.history[name], np.float64).reshape(-1, 3)
        return rows[:, 0], rows[:, column]

    def _readout(self) -> str:
        parts = []
        for name, title in RUNS.items():
            _, sharp, classes = self.history[name][-1]
            parts.append(f"{title}: sharpness {sharp:.3f}, {classes}/10 classes")
        elbo = self.runs["vae"].reports[-1].losses.get("loss_elbo") if self.runs["vae"].reports else None
        tail = f" · VAE loss (−ELBO) {elbo:.0f} nats" if elbo is not None else ""
        return " · ".join(parts) + f" · real glyphs: sharpness {self.real_sharpness:.3f}" + tail

    def measures(self) -> dict[str, float]:
        out = {}
        z = torch.randn(1000, self.z.shape[1], generator=torch.Generator().manual_seed(99))  # the figures' samples
        for name, key in (("vae", "vae"), ("dcgan", "gan")):
            pictures = self.runs[name].samples(z)
            cover = class_coverage(pictures)
            out.update({f"sharp_{key}": sharpness(pictures), f"coverage_{key}": float(cover["classes_covered"]),
                        f"entropy_{key}": cover["class_entropy"], f"seconds_{key}": self.runs[name].seconds})
        return out

    def close(self) -> None:
        for run in self.runs.values():
            run.close()


def vae_vs_gan(seed: int = 0, n: int = 4000) -> VaeVsGan:
    return VaeVsGan(seed, n)
