"""Training and drawing with SinGAN, the single-picture GAN (:mod:`gan_backend.models.singan`).

    cfg = singan_config("photo.png", max_size=160, minutes=15)     # then Trainer.new(cfg) like any run
    model = load_singan("runs/photo")                                # a run directory, checkpoint or "singan"
    model.sample(width=320, height=120, seed=3, start_scale=0)      # uint8 [H, W, 3], any size
    model.inject(painting, scale=2)                                  # paint to picture (SinGAN's paint2image)
    model.inject(pasted, scale=3, mask=mask)                         # harmonise / edit: only the mask changes
    model.animate(frames=40, seed=0)                                 # a random walk in the coarsest noise

Sizes are (width, height) in the API, as a user types them ("320x120"); arrays are [H, W, 3].
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from gan_backend.config import Config
from gan_backend.data.disk.picture import DEFAULT_SIDE
from gan_backend.engine.checkpoint import CheckpointError
from gan_backend.images import from_uint8, to_uint8
from gan_backend.models.singan import SinGAN, upsample

GPU_SIDE = 250  # the default maximum side on a GPU (DEFAULT_SIDE, 160, on a CPU)
ITERS_PER_SCALE = 2000  # the paper's; on a CPU the time budget usually ends a fine scale first
MAX_OUTPUT_PIXELS = 4096 * 4096  # a sample larger than this is refused: the pyramid is drawn in one piece
SHIPPED_NAME = "singan"  # the shipped example (gan_backend.loader.SHIPPED)


def default_max_side(device: str = "auto") -> int:
    """160 px on a CPU, 250 on a GPU: what trains in about 15 minutes there."""
    from gan_backend.engine.devices import resolve_device

    return GPU_SIDE if resolve_device(device).type == "cuda" else DEFAULT_SIDE


def singan_config(picture: str | Path, max_size: int = 0, minutes: float = 15.0, iters: int = ITERS_PER_SCALE,
                  device: str = "auto", run_dir: str = "", seed: int = 0) -> Config:
    """The run config of SinGAN on one picture: the paper's settings, ``minutes`` divided over the scales.

    ``iters`` caps each scale's iterations; ``minutes`` 0 trains every scale for exactly ``iters``.
    """
    from gan_backend.data import open_dataset
    from gan_backend.models.singan import pyramid_sizes

    cfg = Config()
    side = max_size or default_max_side(device)
    data = open_dataset(f"picture:{picture}", image_size=side)  # fails now on a missing or tiny picture
    scales = len(pyramid_sizes(*data.x.shape[1:3], cfg.model.scale_factor, cfg.model.min_side))
    settings = {
        "data.dataset": f"picture:{picture}", "data.image_size": side, "model.name": "singan", "model.width": 32,
        "loss.name": "wgan_gp", "loss.penalty": "gp", "loss.penalty_weight": 0.1, "loss.recon_weight": 10.0,
        "train.steps": iters * scales, "train.max_time": minutes * 60.0, "train.batch_size": 1,
        "train.d_steps": 3, "train.g_steps": 3, "train.lr_g": 5e-4, "train.lr_d": 5e-4, "train.beta1": 0.5,
        "train.augment": "none", "train.ema": 0.0, "train.device": device, "train.seed": seed,
        "run.log_every": 10, "run.sample_every": 100, "run.checkpoint_every": 250, "run.grid_size": 6,
        "run.run_dir": str(run_dir),
    }
    for key, value in settings.items():
        cfg.set(key, value)
    return cfg


@dataclass
class SinGANModel:
    """A trained pyramid, ready to draw; every method returns new uint8 [H, W, 3] arrays."""

    net: SinGAN
    source: str
    device: torch.device = torch.device("cpu")

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the training picture at its finest scale."""
        h, w = self.net.sizes[-1]
        return w, h

    @property
    def scales(self) -> int:
        return self.net.scales

    def picture(self) -> np.ndarray:
        return to_uint8(self.net.real)[0]

    # --- drawing ---
    @torch.no_grad()
    def sample(self, width: int | None = None, height: int | None = None, seed: int = 0,
               start_scale: int = 0) -> np.ndarray:
        """A new picture at width x height (default the picture's). Scales below ``start_scale`` come from the
        picture itself: 0 is the most varied, higher keeps more of the picture's layout."""
        w, h = self._output_size(width, height)
        sizes = self.net.scaled_sizes(h, w)
        start_scale = self._check_scale(start_scale, lowest=0)
        gen = torch.Generator().manual_seed(int(seed))
        start = None if start_scale == 0 else self._picture_at(sizes, start_scale)
        return self._run(sizes, start, start_scale, gen)

    @torch.no_grad()
    def inject(self, image: np.ndarray, scale: int = 1, seed: int = 0, mask: np.ndarray | None = None) -> np.ndarray:
        """``image`` (any size: resized to the picture's) redrawn from ``scale`` up in the picture's patches.

        Paint to picture: a rough colour painting at a coarse scale (1-2). Harmonise and edit: a picture with
        a pasted or moved region at a finer scale, with ``mask`` (bool [H, W], any size) where it changed, so
        only that region (softly feathered) is replaced.
        """
        scale = self._check_scale(scale, lowest=1)
        w, h = self.size
        target = resize_rgb(image, (w, h))
        x = from_uint8(torch.from_numpy(np.array(target))[None]).to(self.device)
        sizes = self.net.sizes
        start = upsample(_resize(x, sizes[scale - 1]), sizes[scale])
        out = self._run(sizes, start, scale, torch.Generator().manual_seed(int(seed)))
        if mask is None:
            return out
        soft = feathered(mask, (w, h))[..., None]
        return (soft * out + (1 - soft) * target).round().astype(np.uint8)

    @torch.no_grad()
    def animate(self, frames: int = 40, seed: int = 0, alpha: float = 0.1, beta: float = 0.9) -> list[np.ndarray]:
        """SinGAN's animation: a random walk of the coarsest noise around the reconstruction's (momentum
        ``beta``, pull to it ``alpha``); the finer scales add no noise, so the picture moves as one."""
        gen = torch.Generator().manual_seed(int(seed))
        z_opt = self.net.z_rec
        z_prev1 = 0.95 * z_opt + 0.05 * self.net.noise(0, z_opt.shape[-2:], gen)
        z_prev2 = z_opt
        out = []
        for _ in range(max(1, int(frames))):
            diff = beta * (z_prev1 - z_prev2) + (1 - beta) * self.net.noise(0, z_opt.shape[-2:], gen)
            z = alpha * z_opt + (1 - alpha) * (z_prev1 + diff)
            z_prev2, z_prev1 = z_prev1, z
            x = self.net([z] + [None] * (self.scales - 1))
            out.append(to_uint8(x)[0])
        return out

    # --- helpers ---
    def _run(self, sizes, start, first: int, gen: torch.Generator) -> np.ndarray:
        noises = [self.net.noise(n, s, gen) for n, s in enumerate(sizes[first:], first)]
        return to_uint8(self.net(noises, start=start, first=first, sizes=sizes))[0]

    def _picture_at(self, sizes, scale: int) -> torch.Tensor:
        """Scale ``scale``'s input from the picture: resized to the scale below, then upsampled."""
        return upsample(_resize(self.net.real, sizes[scale - 1]), sizes[scale])

    def _check_scale(self, scale: int, lowest: int) -> int:
        if not lowest <= int(scale) < self.scales:
            raise ValueError(f"scale {scale}: this model has scales {lowest}..{self.scales - 1} "
                             f"(0 is the coarsest)")
        return int(scale)

    def _output_size(self, width, height) -> tuple[int, int]:
        w0, h0 = self.size
        w, h = int(width or w0), int(height or h0)
        if w < 8 or h < 8:
            raise ValueError(f"size {w}x{h}: choose at least 8x8 pixels")
        if w * h > MAX_OUTPUT_PIXELS:
            raise ValueError(f"size {w}x{h}: at most {MAX_OUTPUT_PIXELS // 1_000_000} megapixels in one piece")
        return w, h


def load_singan(source: str | Path = SHIPPED_NAME, device: str = "cpu") -> SinGANModel:
    """A SinGAN from a run directory, a checkpoint file or the shipped example; CheckpointError otherwise."""
    from gan_backend.loader import open_checkpoint

    ck = open_checkpoint(source)
    if ck.task != "singan":
        raise CheckpointError(f"{ck.path}: a {ck.task or ck.model} run, not a SinGAN; train one with "
                              f"`gan-studio singan train PICTURE`")
    return SinGANModel(ck.network(key="G", device=device), str(source), torch.device(device))


# --- pictures ---
def resize_rgb(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Any uint8 picture (grey, RGB or RGBA on white) as RGB [H, W, 3] at ``size`` (width, height)."""
    from gan_backend.translator import as_rgb

    rgb = as_rgb(image)
    if (rgb.shape[1], rgb.shape[0]) == tuple(size):
        return rgb
    return np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.BICUBIC))


def feathered(mask: np.ndarray, size: tuple[int, int], radius: int = 3) -> np.ndarray:
    """A bool mask as float32 [H, W] 0..1 at ``size``, dilated by ``radius`` and blurred, for soft seams."""
    from PIL import ImageFilter

    im = Image.fromarray((np.asarray(mask) > 0).astype(np.uint8) * 255).resize(size, Image.Resampling.NEAREST)
    im = im.filter(ImageFilter.MaxFilter(2 * radius + 1)).filter(ImageFilter.GaussianBlur(radius))
    return np.asarray(im, np.float32) / 255


def save_gif(frames: list[np.ndarray], path: str | Path, fps: float = 12.0) -> Path:
    """Frames as a looping GIF at ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ims = [Image.fromarray(f) for f in frames]
    ims[0].save(path, save_all=True, append_images=ims[1:], duration=max(20, int(1000 / fps)), loop=0)
    return path


def parse_size(text: str) -> tuple[int, int]:
    """ "320x120" -> (320, 120); ValueError naming the text otherwise."""
    w, sep, h = str(text).lower().partition("x")
    try:
        if not sep:
            raise ValueError
        return int(w), int(h)
    except ValueError:
        raise ValueError(f"--size {text!r}: write WIDTHxHEIGHT, e.g. 320x120") from None


def _resize(x: torch.Tensor, size) -> torch.Tensor:
    return F.interpolate(x, size=tuple(size), mode="bicubic", antialias=True, align_corners=False).clamp(-1, 1)

