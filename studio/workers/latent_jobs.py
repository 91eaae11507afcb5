"""ExploreModel: the generator behind the latent explorer, used only on the renderer's worker thread.

Every method takes NumPy latents and returns uint8 pictures (fresh arrays, safe to hand to the GUI thread);
the maths is ``gan_backend.latent``'s. Grey models come back as 3-channel pictures for the canvases.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from studio.state.latent import ModelInfo

DIRECTION_SAMPLES = 512  # latents whose first-layer activations the PCA sees (GANSpace uses more; 512 is stable)
DIRECTION_SEED = 2020  # directions are the same each time a model is opened
# One torch thread for the renderer: a batch-1 frame gains little from a second thread and loses badly when the
# other core is busy (the GUI thread, a training run, other programs): DCGAN-64 p50 8-20 ms on one thread against
# 50 ms on two, on a loaded 2-core CPU. torch keeps the count per calling thread, but threads that start torch
# later inherit the last count set (as with the paint view's renderer).
RENDER_THREADS = 1


@dataclass
class Strip:
    """Frames uint8 [K, H, W, 3] and the same frames side by side as one picture."""

    frames: np.ndarray
    picture: np.ndarray


@dataclass
class Arithmetic:
    """DCGAN Fig. 7: ``rows`` picture (each group's three samples and their mean's image), the result."""

    rows: np.ndarray
    result: np.ndarray  # uint8 [H, W, 3]
    vector: np.ndarray  # float32 [d]: mean(A) - mean(B) + mean(C)


def run_argument(checkpoint: Path) -> str:
    """What the CLI takes for this checkpoint: its run directory for a run's last.pt, else the file itself."""
    in_run = checkpoint.parent.name == "checkpoints" and (checkpoint.parent.parent / "config.json").is_file()
    return str(checkpoint.parent.parent if in_run and checkpoint.name == "last.pt" else checkpoint)


class ExploreModel:
    """A loaded generator (G_ema when the run has one) and its principal directions, computed once."""

    def __init__(self, gen, info: ModelInfo):
        self.gen, self.info = gen, info
        self._directions: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @classmethod
    def load(cls, path: str | Path) -> "ExploreModel":
        """Raises ValueError subclasses (RunDirError, CheckpointError, NoCheckpointError) with one-line messages."""
        import torch

        from gan_backend.generator import load_generator
        from gan_backend.latent import label_embeddings

        torch.set_num_threads(RENDER_THREADS)  # called on the renderer thread: see RENDER_THREADS
        gen = load_generator(path)  # a run's last.pt, else its newest readable step checkpoint
        source = Path(path).expanduser()
        run, checkpoint = str(source) if source.is_dir() else run_argument(gen.path), gen.path
        meta = gen.meta
        if meta.get("data_kind") != "image" or meta.get("task") not in ("unconditional", "conditional"):
            raise ValueError(f"{Path(run).name}: a {meta.get('model')} run on {meta.get('data_kind')} data draws no "
                             f"pictures from noise; the latent explorer needs an image GAN such as dcgan or cdcgan")
        info = ModelInfo(run, str(checkpoint), gen.step, meta["model"], gen.latent_dim, gen.cfg.model.latent_prior,
                         tuple(meta["shape"]), tuple(meta["class_names"]) if gen.num_classes else (),
                         bool(label_embeddings(gen.net)))
        return cls(gen, info)

    # --- directions ---
    def directions(self, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(vectors [K, d], sigma [K], explained [K]) float32, GANSpace PCA of G's first layer."""
        if self._directions is None or len(self._directions[0]) < k:
            import torch

            from gan_backend.latent import UpToLayer, principal_directions

            z = self.gen.latents(DIRECTION_SAMPLES, DIRECTION_SEED)
            labels = None
            if self.gen.num_classes:
                labels = torch.randint(0, self.gen.num_classes, (len(z),), generator=torch.Generator().manual_seed(1))
            d = principal_directions(UpToLayer(self.gen.net), z, k, labels)
            self._directions = tuple(t.numpy().astype(np.float32).copy() for t in (d.vectors, d.sigma, d.explained))
        return tuple(a[:k].copy() for a in self._directions)

    # --- pictures ---
    def images(self, z: np.ndarray, label: int | None = None) -> np.ndarray:
        """z float32 [N, d] -> uint8 [N, H, W, 3]."""
        import torch

        zt = torch.from_numpy(np.ascontiguousarray(z, np.float32))
        labels = None if label is None else torch.full((len(zt),), int(label), dtype=torch.long)
        return _rgb(self.gen.images(zt, labels))

    def image(self, z: np.ndarray, label: int | None = None) -> np.ndarray:
        """One latent [d] -> uint8 [H, W, 3] (batch 1: what the sliders drive)."""
        return self.images(z[None], label)[0]

    def path(self, a: np.ndarray, b: np.ndarray, frames: int, spherical: bool, label: int | None) -> Strip:
        import torch

        from gan_backend.latent import path

        z = path(torch.from_numpy(a), torch.from_numpy(b), frames, spherical).numpy()
        return _strip(self.images(z, label))

    def path_point(self, a: np.ndarray, b: np.ndarray, t: float, spherical: bool, label: int | None) -> np.ndarray:
        return self.image(path_latent(a, b, t, spherical), label)

    def grid(self, corners: np.ndarray, side: int, label: int | None) -> np.ndarray:
        """Bilinear grid [side x side] between four corners [4, d] as one picture."""
        import torch

        from gan_backend.images import make_grid
        from gan_backend.latent import grid

        z = grid(torch.from_numpy(np.ascontiguousarray(corners, np.float32)), side, side).numpy()
        return make_grid(self.images(z, label), ncols=side)

    def truncation(self, seed: int, psi: float, n: int, label: int | None) -> np.ndarray:
        """n samples of ``seed`` pulled toward the prior's mean (0) by psi, as a square grid."""
        from gan_backend.images import make_grid
        from gan_backend.latent import truncate

        z = truncate(self.gen.latents(n, seed), psi).numpy()
        return make_grid(self.images(z, label))

    def arithmetic(self, groups: np.ndarray, label: int | None) -> Arithmetic:
        """groups float32 [3, m, d] (A, B, C) -> each group's samples and mean, and mean A - mean B + mean C."""
        from gan_backend.images import make_grid

        means = groups.mean(1)  # [3, d]
        vector = (means[0] - means[1] + means[2]).astype(np.float32)
        m = groups.shape[1]
        z = np.concatenate([np.concatenate([groups[g], means[g:g + 1]]) for g in range(3)] + [vector[None]])
        pics = self.images(z, label)
        return Arithmetic(make_grid(pics[:-1], ncols=m + 1), pics[-1], vector)

    def class_path(self, z: np.ndarray, a: int, b: int, frames: int) -> Strip:
        """One latent drawn from class a to class b in ``frames`` steps (label embeddings mixed)."""
        import torch

        from gan_backend.images import to_uint8
        from gan_backend.latent import class_mix

        zt = torch.from_numpy(np.ascontiguousarray(z, np.float32))[None].expand(frames, -1).contiguous()
        return _strip(_rgb(to_uint8(class_mix(self.gen.net, zt, a, b, torch.linspace(0, 1, frames)))))

    def class_point(self, z: np.ndarray, a: int, b: int, t: float) -> np.ndarray:
        import torch

        from gan_backend.images import to_uint8
        from gan_backend.latent import class_mix

        return _rgb(to_uint8(class_mix(self.gen.net, torch.from_numpy(z.astype(np.float32))[None], a, b, t)))[0]


def path_latent(a: np.ndarray, b: np.ndarray, t: float, spherical: bool) -> np.ndarray:
    """The latent at t (0..1) along the path from a to b, float32 [d]."""
    import torch

    from gan_backend.latent import lerp, slerp

    return (slerp if spherical else lerp)(torch.from_numpy(a), torch.from_numpy(b), float(t)).numpy().copy()


def _strip(frames: np.ndarray) -> Strip:
    from gan_backend.images import make_grid

    return Strip(frames, make_grid(frames, ncols=len(frames)))


def _rgb(images: np.ndarray) -> np.ndarray:
    """uint8 [N, H, W, 1|3] -> [N, H, W, 3], C-contiguous (pyqtgraph and Pillow both take it as is)."""
    from gan_backend.images import grey_to_rgb

    return np.ascontiguousarray(grey_to_rgb(images))
