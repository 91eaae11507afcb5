"""ExploreModel: the generator behind the latent explorer, used only on the renderer's worker thread.

Every method takes NumPy latents and returns uint8 pictures (fresh arrays, safe to hand to the GUI thread);
the maths is ``gan_backend.latent``'s. Grey models come back as 3-channel pictures for the canvases.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from studio.state.latent import ModelInfo, StyleLatent, StyleSettings

DIRECTION_SAMPLES = 512  # latents whose first-layer activations the PCA sees (GANSpace uses more; 512 is stable)
DIRECTION_SEED = 2020  # directions are the same each time a model is opened
# One torch thread for the renderer: a batch-1 frame gains little from a second thread and loses badly when the
# other core is busy (the GUI thread, a training run, other programs): DCGAN-64 p50 8-20 ms on one thread against
# 50 ms on two, on a loaded 2-core CPU. torch keeps the count per calling thread, but threads that start torch
# later inherit the last count set (as with the paint view's renderer).
RENDER_THREADS = 1
W_DIRECTION_SAMPLES = 2000  # mapped latents whose W the Style tab's PCA sees (mapping only: a few ms each batch)
PLAIN = StyleSettings()  # what every panel but the Style tab draws style models with: no truncation, G's fixed noise


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


@dataclass
class StyleEdit:
    """The Style tab's latent moved along principal directions of W, and each direction's share of W's variance."""

    picture: np.ndarray  # uint8 [H, W, 3]
    explained: np.ndarray  # float32 [K]


def run_argument(checkpoint: Path) -> str:
    """What the CLI takes for this checkpoint: its run directory for a run's last.pt, else the file itself."""
    in_run = checkpoint.parent.name == "checkpoints" and (checkpoint.parent.parent / "config.json").is_file()
    return str(checkpoint.parent.parent if in_run and checkpoint.name == "last.pt" else checkpoint)


class ExploreModel:
    """A loaded generator (G_ema when the run has one) and its principal directions, computed once."""

    def __init__(self, gen, info: ModelInfo):
        self.gen, self.info = gen, info
        self._directions: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._w_directions = None  # gan_backend.latent.Directions in W, computed on first use

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
        net = gen.net
        style = hasattr(net, "synthesis")
        groups = tuple((name, int(a), int(b)) for name, (a, b) in net.groups.items()) if style else ()
        info = ModelInfo(run, str(checkpoint), gen.step, meta["model"], gen.latent_dim, gen.cfg.model.latent_prior,
                         tuple(meta["shape"]), tuple(meta["class_names"]) if gen.num_classes else (),
                         bool(label_embeddings(net)), getattr(gen.cfg.model, "info_codes", "") or "", style,
                         int(net.num_ws) if style else 0, int(net.w_dim) if style else 0, groups)
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
            if self.info.style:  # GANSpace's StyleGAN recipe: PCA of w, regressed back onto z
                d = principal_directions(self.gen.net.mapping, z, k, labels, layer=self.gen.net.mapping.layers)
            else:
                d = principal_directions(UpToLayer(self.gen.net), z, k, labels)
            self._directions = tuple(t.numpy().astype(np.float32).copy() for t in (d.vectors, d.sigma, d.explained))
        return tuple(a[:k].copy() for a in self._directions)

    # --- pictures ---
    def images(self, z: np.ndarray, label: int | None = None, style: StyleSettings | None = None) -> np.ndarray:
        """z float32 [N, d] -> uint8 [N, H, W, 3]; style-based models draw as ``style`` says (default ``PLAIN``)."""
        import torch

        zt = torch.from_numpy(np.ascontiguousarray(z, np.float32))
        if not self.info.style:
            labels = None if label is None else torch.full((len(zt),), int(label), dtype=torch.long)
            return _rgb(self.gen.images(zt, labels))
        style = style or PLAIN
        return self._synthesise(self._ws_of_z(zt, label, style), style)

    def image(self, z: np.ndarray, label: int | None = None, style: StyleSettings | None = None) -> np.ndarray:
        """One latent [d] -> uint8 [H, W, 3] (batch 1: what the sliders drive)."""
        return self.images(z[None], label, style)[0]

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

    # --- style-based models (the Style tab) ---
    def mixing(self, sources: list[StyleLatent], destinations: list[StyleLatent], start: int, stop: int,
               label: int | None, style: StyleSettings) -> np.ndarray:
        """StyleGAN's Fig. 3 as one picture of (rows + 1) x (cols + 1) cells: the destinations along the top, the
        sources down the left, and in cell (i, j) destination j with its style rows [start, stop) from source i."""
        import torch

        from gan_backend.images import make_grid
        from gan_backend.models.stylegan import mix_styles

        src, dst = self._ws(sources, label, style), self._ws(destinations, label, style)  # [n | m, L, w_dim]
        n, m = len(src), len(dst)
        mixed = mix_styles(dst.repeat(n, 1, 1), src.repeat_interleave(m, 0), start, stop)  # row-major [n * m]
        pics = self._synthesise(torch.cat([dst, src, mixed]), style)
        dst_pics, src_pics, mixed_pics = pics[:m], pics[m:m + n], pics[m + n:].reshape(n, m, *pics.shape[1:])
        corner = np.zeros_like(pics[:1])
        rows = [np.concatenate([corner, dst_pics])]
        rows += [np.concatenate([src_pics[i:i + 1], mixed_pics[i]]) for i in range(n)]
        return make_grid(np.concatenate(rows), ncols=m + 1)

    def style_edit(self, latent: StyleLatent, amounts: np.ndarray, start: int, stop: int, label: int | None,
                   style: StyleSettings) -> StyleEdit:
        """``latent`` with rows [start, stop) moved by ``amounts`` [K] sigmas along W's first K principal axes."""
        import torch

        d = self.w_directions()
        k = len(amounts)
        ws = self._ws([latent], label, style)  # [1, L, w_dim]
        move = (torch.from_numpy(np.asarray(amounts, np.float32)) * d.sigma[:k]) @ d.vectors[:k]  # [w_dim]
        rows = torch.arange(ws.shape[1])[None, :, None]
        ws = torch.where((rows >= start) & (rows < stop), ws + move.to(ws), ws)
        return StyleEdit(self._synthesise(ws, style)[0], d.explained[:k].numpy().astype(np.float32).copy())

    def style_path(self, a: StyleLatent, b: StyleLatent, frames: int, label: int | None,
                   style: StyleSettings) -> Strip:
        """A straight line in W+ from a to b (both ends included), ``frames`` pictures."""
        import torch

        ws = self._ws([a, b], label, style)
        t = torch.linspace(0, 1, frames)[:, None, None].to(ws)
        return _strip(self._synthesise(torch.lerp(ws[:1], ws[1:], t), style))

    def w_directions(self):
        """``gan_backend.latent.Directions`` of W (CPU tensors), from ``W_DIRECTION_SAMPLES`` mapped latents."""
        if self._w_directions is None:
            import torch

            from gan_backend.latent import w_directions

            z = self.gen.latents(W_DIRECTION_SAMPLES, DIRECTION_SEED).to(self.gen.device)
            labels = None
            if self.gen.num_classes:
                labels = torch.randint(0, self.gen.num_classes, (len(z),), generator=torch.Generator().manual_seed(1))
                labels = labels.to(self.gen.device)
            d = w_directions(self.gen.net, z, 16, labels)
            self._w_directions = type(d)(d.vectors.cpu(), d.sigma.cpu(), d.explained.cpu())
        return self._w_directions

    def _labels(self, label: int | None, n: int):
        import torch

        if label is None or not self.gen.num_classes:
            return None
        return torch.full((n,), int(label), dtype=torch.long, device=self.gen.device)

    def _ws_of_z(self, z, label: int | None, style: StyleSettings):
        """z [N, d] -> ws [N, num_ws, w_dim], truncated in W as ``style`` says."""
        import torch

        with torch.no_grad():
            return self.gen.net.ws(z.to(self.gen.device), self._labels(label, len(z)), style.psi, style.cutoff)

    def _ws(self, latents: list[StyleLatent], label: int | None, style: StyleSettings):
        """[N, num_ws, w_dim]: each latent's rows (a z mapped, a projection's ws as they are), truncated."""
        import torch

        from gan_backend.models.stylegan import truncate_ws

        rows = []
        for latent in latents:
            if latent.ws is not None:
                ws = torch.from_numpy(np.ascontiguousarray(latent.ws, np.float32))[None].to(self.gen.device)
                rows.append(truncate_ws(ws, self.gen.net.w_avg, style.psi, style.cutoff))
            else:
                rows.append(self._ws_of_z(torch.from_numpy(np.asarray(latent.z, np.float32))[None], label, style))
        return torch.cat(rows)

    def _synthesise(self, ws, style: StyleSettings) -> np.ndarray:
        """ws [N, num_ws, w_dim] -> uint8 [N, H, W, 3]; "random" noise is drawn from ``style.noise_seed``, so the
        same request draws the same picture (the global torch generator is restored afterwards)."""
        import torch

        from gan_backend.images import to_uint8

        with torch.no_grad():
            if style.noise == "random":
                with torch.random.fork_rng(devices=[]):
                    torch.manual_seed(int(style.noise_seed))
                    img = self.gen.net.synthesis(ws, "random")
            else:
                img = self.gen.net.synthesis(ws, style.noise)
        return _rgb(to_uint8(img.float()))


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
