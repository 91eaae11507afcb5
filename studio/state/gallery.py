"""GalleryState: the fixed-noise sample grids of a run, the timeline position and the picked sample.

Qt-free. Grids come from the live worker (arrays) or from ``samples/step_NNNNNNN.png`` files, decoded
with Pillow only when shown or exported, so a run with hundreds of snapshots opens at once.
"""
from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

GRID_PAD = 2  # gan_backend.images.make_grid's default padding around each sample
FIXED_SEED_OFFSET = 7919  # gan_backend.tasks.gan.FIXED_SEED_OFFSET: fixed noise = seed + this


@dataclass(frozen=True)
class SampleSelection:
    """The sample a user clicked: enough to rebuild its latent for the latent explorer.

    The grid's latents are ``sample_inputs(grid_count, latent_dim, prior, info_codes, Generator(seed + 7919))``
    (z, then any InfoGAN codes); sample ``index`` is row ``index`` of that matrix.
    """

    step: int
    index: int  # position in the grid, row-major
    row: int
    col: int
    run_dir: str = ""
    seed: int = 0  # the run's train.seed
    grid_count: int = 64
    latent_dim: int = 100
    latent_prior: str = "normal"
    info_codes: str = ""  # model.info_codes of the run

    def latent(self) -> np.ndarray:
        """G's input [latent_dim + codes] float32 of this sample (imports torch: call it off the startup path)."""
        import torch

        from gan_backend.models.inputs import sample_inputs

        gen = torch.Generator().manual_seed(self.seed + FIXED_SEED_OFFSET)
        z = sample_inputs(self.grid_count, self.latent_dim, self.latent_prior, self.info_codes, gen)
        return z[self.index].numpy().copy()

    def label(self, num_classes: int) -> int:
        """The class a conditional run drew this sample of: the engine's fixed labels are 0, 1, ... K-1, 0, 1 ..."""
        return self.index % num_classes


@dataclass
class Snapshot:
    step: int
    path: str = ""  # absolute path of the PNG ("" while only in memory)


@dataclass
class GalleryState:
    """Snapshots in step order, the shown one, and the last picked sample."""

    snapshots: list[Snapshot] = field(default_factory=list)
    index: int = -1  # shown snapshot, -1 when there are none
    follow_latest: bool = True  # new snapshots move the timeline when it was at the end
    grid_count: int = 64  # samples per grid (run.grid_size); 0 for pictures that are not grids (points)
    run_dir: str = ""
    seed: int = 0
    latent_dim: int = 100
    latent_prior: str = "normal"
    info_codes: str = ""
    selection: SampleSelection | None = None
    cache_size: int = 48
    _cache: OrderedDict = field(default_factory=OrderedDict)  # step -> uint8 [H, W, 3]

    def configure(self, run_dir: str, cfg: dict, is_grid: bool = True) -> None:
        """Reset for a run; ``cfg`` is the run's config as a dict (config.json)."""
        self.snapshots, self.index, self.selection, self.follow_latest = [], -1, None, True
        self._cache.clear()
        self.run_dir = run_dir
        self.seed = int(cfg.get("train", {}).get("seed", 0))
        self.latent_dim = int(cfg.get("model", {}).get("latent_dim", 100))
        self.latent_prior = str(cfg.get("model", {}).get("latent_prior", "normal"))
        self.info_codes = str(cfg.get("model", {}).get("info_codes", ""))
        self.grid_count = int(cfg.get("run", {}).get("grid_size", 64)) if is_grid else 0

    # --- timeline ---
    def add(self, step: int, path: str = "", grid: np.ndarray | None = None) -> bool:
        """Add a snapshot (replacing one at the same step); True when the shown index moved."""
        at_end = self.index == len(self.snapshots) - 1
        if self.snapshots and self.snapshots[-1].step == step:
            self.snapshots[-1] = Snapshot(step, path)
        else:
            self.snapshots.append(Snapshot(step, path))
            self.snapshots.sort(key=lambda s: s.step)
        if grid is not None:
            self._remember(step, grid)
        if at_end and self.follow_latest or self.index < 0:
            self.index = len(self.snapshots) - 1
            return True
        return False

    def truncate_after(self, step: int) -> None:
        """Drop snapshots past ``step`` (a resumed run redraws them)."""
        self.snapshots = [s for s in self.snapshots if s.step <= step]
        self.index = min(self.index, len(self.snapshots) - 1)

    def set_index(self, index: int) -> None:
        if self.snapshots:
            self.index = min(max(0, index), len(self.snapshots) - 1)
            self.follow_latest = self.index == len(self.snapshots) - 1

    def current_step(self) -> int | None:
        return self.snapshots[self.index].step if self.index >= 0 else None

    def grid(self, index: int | None = None) -> np.ndarray | None:
        """uint8 [H, W, 3] of a snapshot (the shown one by default), decoded and cached on demand."""
        index = self.index if index is None else index
        if not 0 <= index < len(self.snapshots):
            return None
        snap = self.snapshots[index]
        if snap.step in self._cache:
            self._cache.move_to_end(snap.step)
            return self._cache[snap.step]
        if not snap.path:
            return None
        return self._remember(snap.step, read_png(snap.path))

    def _remember(self, step: int, grid: np.ndarray) -> np.ndarray:
        self._cache[step] = grid
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return grid

    # --- picking a sample ---
    def cell_size(self, grid: np.ndarray) -> tuple[int, int, int] | None:
        """(columns, cell height, cell width) of the grid layout, None when the picture is not a grid."""
        if not self.grid_count:
            return None
        cols = max(1, math.ceil(math.sqrt(self.grid_count)))
        rows = math.ceil(self.grid_count / cols)
        (h, h_rest), (w, w_rest) = divmod(grid.shape[0] - GRID_PAD, rows), divmod(grid.shape[1] - GRID_PAD, cols)
        # make_grid's layout fits exactly; anything else (a 2-D points picture) is not a grid.
        return (cols, h - GRID_PAD, w - GRID_PAD) if h > GRID_PAD and w > GRID_PAD and not h_rest + w_rest else None

    def select_at(self, x: float, y: float) -> SampleSelection | None:
        """Pick the sample under pixel (x, y) of the shown grid; remembers and returns it."""
        grid = self.grid()
        layout = None if grid is None else self.cell_size(grid)
        if layout is None:
            return None
        cols, h, w = layout
        col, row = int((x - GRID_PAD) // (w + GRID_PAD)), int((y - GRID_PAD) // (h + GRID_PAD))
        index = row * cols + col
        if not (0 <= col < cols and row >= 0 and 0 <= index < self.grid_count):
            return None
        self.selection = SampleSelection(self.current_step() or 0, index, row, col, self.run_dir, self.seed,
                                         self.grid_count, self.latent_dim, self.latent_prior, self.info_codes)
        return self.selection

    def selected_image(self) -> np.ndarray | None:
        """The picked sample cut out of the shown grid, uint8 [h, w, 3]."""
        grid, sel = self.grid(), self.selection
        layout = None if grid is None or sel is None else self.cell_size(grid)
        if layout is None:
            return None
        _, h, w = layout
        y, x = GRID_PAD + sel.row * (h + GRID_PAD), GRID_PAD + sel.col * (w + GRID_PAD)
        return np.ascontiguousarray(grid[y:y + h, x:x + w])

    # --- export ---
    def export_png(self, path: str | Path) -> None:
        grid = self.grid()
        if grid is None:
            raise ValueError("no sample grid to export yet")
        from PIL import Image

        Image.fromarray(grid).save(path)

    def export_gif(self, path: str | Path, frame_ms: int = 200) -> int:
        """Every snapshot as one frame of a looping GIF; returns the frame count."""
        from PIL import Image

        frames = [Image.fromarray(g) for i in range(len(self.snapshots)) if (g := self.grid(i)) is not None]
        if not frames:
            raise ValueError("no sample grids to export yet")
        frames[0].save(path, save_all=True, append_images=frames[1:], duration=frame_ms, loop=0)
        return len(frames)


def read_png(path: str | Path) -> np.ndarray:
    """uint8 [H, W, 3], C-contiguous."""
    from PIL import Image

    with Image.open(path) as im:
        return np.ascontiguousarray(np.asarray(im.convert("RGB"), np.uint8))
