"""Lesson 7, self-attention (SAGAN, Zhang et al. 2018): a DCGAN with ``model.attention`` trained live on glyphs.

Click a pixel of the generated picture: the page shows where G's attention block looks from the feature-map
position under it (the softmax row of that query, which sums to 1), as the SAGAN paper's figure does, and
gamma, the block's learned weight, which starts at 0 and grows as G finds attention useful.
"""
from __future__ import annotations

import numpy as np
import torch

from gan_backend.images import to_uint8
from gan_backend.lessons.frames import FAKE, Control, Experiment, LessonFrame, Picture, Plot, line
from gan_backend.lessons.live_run import LiveRun
from gan_backend.lessons.pictures import grid, heat_overlay, upscale
from gan_backend.models.attention import attention_blocks, attention_for_pixel

SIDE = 14  # the attended feature map: 14 x 14 of the 28 px glyphs (dcgan's 7 -> 14 -> 28)
BRIGHT = 8  # a cell is drawn at full heat from this many times the uniform weight 1 / SIDE^2 up
PICKS = 8  # samples to choose from
ZOOM = 8  # the clickable picture is drawn at 8x, so each pixel is a fair target


class SelfAttentionLesson(Experiment):
    """Lesson 7. A step is one report (``run.log_every`` training steps) of the DCGAN + attention run."""

    controls = (Control("sample", "Sample", "int", 0, low=0, high=PICKS - 1, step=1,
                        tip="Which of the eight samples (the strip) to look into"),)
    columns = (3, 1)
    frame_interval = 0.4
    tour_steps = 30  # reports: 150 training steps, when strokes show
    tour_seconds = 15.0

    def __init__(self, seed: int = 0, n: int = 4000):
        super().__init__()
        # Batch 16 (attention over 14 x 14 positions costs more than the convolutions around it) and twice the
        # other lessons' learning rate: strokes show within 150 steps.
        self.run = LiveRun({"model.name": "dcgan", "model.attention": SIDE, "train.batch_size": 16, "data.n": n,
                            "train.lr_g": 1e-3, "train.lr_d": 1e-3, "train.seed": seed})
        self.z = torch.randn(PICKS, self.run.task.cfg.model.latent_dim,
                             generator=torch.Generator().manual_seed(seed + 31))
        self.sample, self.query = 0, (9, 14)  # (row, col) in the 28 x 28 picture
        self.gammas: list[tuple[int, float]] = [(0, self.gamma())]

    def gamma(self) -> float:
        return float(attention_blocks(self.run.task.G)[0].gamma.detach())

    def set(self, name, value):
        if name == "sample":
            self.sample = int(np.clip(int(value), 0, PICKS - 1))
        else:
            super().set(name, value)

    def values(self):
        return {"sample": self.sample}

    def click(self, panel: str, row: int, col: int) -> None:
        if panel in ("picture", "map"):
            self.query = (int(np.clip(row // ZOOM, 0, 27)), int(np.clip(col // ZOOM, 0, 27)))

    def step(self) -> None:
        self.run.advance()
        self.gammas.append((self.run.step, self.gamma()))
        self.steps += 1

    def attention(self) -> tuple[np.ndarray, np.ndarray]:
        """(the chosen sample, uint8 [28, 28, 1]; its attention map from the query pixel, float [14, 14])."""
        G = self.run.task.ema_generator()
        picture, heat = attention_for_pixel(G, self.z[self.sample:self.sample + 1], *self.query)
        return to_uint8(picture)[0], heat.double().numpy()

    def frame(self) -> LessonFrame:
        picture, heat = self.attention()
        r, c = self.query
        big = upscale(np.repeat(picture, 3, -1), ZOOM)
        overlay = upscale(heat_overlay(picture, heat, full=BRIGHT / heat.size), ZOOM)
        steps, gammas = (np.array(v, np.float64) for v in zip(*self.gammas))
        panels = {
            "picture": Picture(f"Sample {self.sample}: click a pixel", big, clickable=True,
                               marker=(r * ZOOM + ZOOM // 2, c * ZOOM + ZOOM // 2)),
            "map": Picture(f"Attention from ({r}, {c}); bright: ≥ {BRIGHT}× uniform", overlay, clickable=True,
                           marker=(r * ZOOM + ZOOM // 2, c * ZOOM + ZOOM // 2)),
            "samples": Picture("The eight samples (Sample picks one)", grid(self.run.samples(self.z), 2)),
            "gamma": Plot("γ: how much G uses attention", {"gamma": line(steps, gammas, colour=FAKE, label="γ")},
                          "training step", "γ"),
        }
        readout = (f"step {self.run.step:,} · query ({r}, {c}) · the map sums to {heat.sum():.3f}, its peak holds "
                   f"{heat.max():.1%} (uniform: {1 / heat.size:.1%}) · γ = {gammas[-1]:+.3f}")
        return LessonFrame(self.steps, panels, readout, self.columns, self.values())

    def measures(self) -> dict[str, float]:
        _, heat = self.attention()
        return {"map_sum": float(heat.sum()), "map_peak": float(heat.max()), "gamma": self.gamma()}

    def close(self) -> None:
        self.run.close()


def self_attention(seed: int = 0, n: int = 4000) -> SelfAttentionLesson:
    return SelfAttentionLesson(seed, n)
