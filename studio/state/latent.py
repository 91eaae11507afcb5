"""LatentState: the latent being explored (a picked base, raw-dimension values, direction amounts, class).

Qt-free, napari ``Dims`` style: views call the setters and subscribe with ``state.changed.connect(fn)``; ``fn``
gets one word saying what changed. NumPy only; torch is imported lazily where a seed becomes a latent or a
latent file is read or written, so the latents match ``gan-studio sample`` exactly.
"""
from __future__ import annotations

import shlex
from dataclasses import dataclass, field, replace
from pathlib import Path
import numpy as np

from studio.state.events import Event

SLIDER_SIGMAS = 3.0  # sliders span +-3 sigma


@dataclass(frozen=True)
class ModelInfo:
    """What the GUI needs to know about the loaded generator (plain data, built on the worker thread)."""

    run: str  # run directory, or the checkpoint file when it is not in a run; what `gan-studio sample` takes
    checkpoint: str  # the file loaded
    step: int
    model: str  # registry name, e.g. "dcgan"
    latent_dim: int
    latent_prior: str  # "normal" or "uniform"
    image_shape: tuple[int, int, int]  # (C, H, W)
    class_names: tuple[str, ...] = ()  # empty for unconditional models
    label_embedding: bool = False  # class mixes mix embeddings (else the two pictures are blended)
    info_codes: str = ""  # the run's model.info_codes, e.g. "cat10,cont2": InfoGAN codes at the latent's end
    style: bool = False  # style-based (stylegan): a mapping to W and a synthesis fed one w per layer
    num_ws: int = 0  # style rows the synthesis takes (style-based models only)
    w_dim: int = 0
    layer_groups: tuple[tuple[str, int, int], ...] = ()  # ("coarse", start, stop), ...: style rows [start, stop)

    @property
    def conditional(self) -> bool:
        return bool(self.class_names)

    @property
    def codes(self) -> tuple[tuple[int, ...], int]:
        """(categorical sizes, continuous count) of the InfoGAN codes; ((), 0) without codes."""
        from gan_backend.models.inputs import InfoCodes  # loaded already: the renderer built this info with it

        parsed = InfoCodes.parse(self.info_codes)
        return parsed.categorical, parsed.continuous

    @property
    def code_start(self) -> int:
        """Index of the first code entry in the latent: codes follow z."""
        cats, cont = self.codes
        return self.latent_dim - sum(cats) - cont

    def group(self, name: str) -> tuple[int, int]:
        """Style rows [start, stop) of "coarse", "middle", "fine" or "all"."""
        for group, start, stop in self.layer_groups:
            if group == name:
                return start, stop
        return 0, self.num_ws

    @property
    def raw_sigma(self) -> float:
        """Standard deviation of one latent coordinate under the prior (U[-1, 1] has 1/sqrt(3))."""
        return 1.0 / np.sqrt(3.0) if self.latent_prior == "uniform" else 1.0


@dataclass(frozen=True)
class Pick:
    """A chosen latent: ``vector`` float32 [d], the seed it came from (None when not a seed), and a short name."""

    vector: np.ndarray
    seed: int | None = None
    text: str = ""


@dataclass(frozen=True)
class StyleSettings:
    """How a style-based model draws: truncation in W (rows below ``cutoff`` pulled to w_avg by ``psi``; None: all
    rows) and its per-pixel noise: "const" (G's fixed noise), "none", or "random" drawn from ``noise_seed``."""

    psi: float = 1.0
    cutoff: int | None = None
    noise: str = "const"
    noise_seed: int = 0


@dataclass(frozen=True, eq=False)
class StyleLatent:
    """A latent the Style tab draws: ``z`` float32 [d] (a seed's or the explored one), or ``ws`` float32
    [num_ws, w_dim], the W+ rows of a projected picture."""

    text: str
    z: np.ndarray | None = None
    ws: np.ndarray | None = None


def latent_from_seed(seed: int, dim: int, prior: str = "normal", codes: str = "") -> np.ndarray:
    """float32 [dim]: the latent ``gan-studio sample RUN --seed SEED --n 1`` draws (InfoGAN codes included)."""
    import torch

    from gan_backend.models.inputs import InfoCodes, sample_inputs

    z_dim = dim - InfoCodes.parse(codes).dim
    return sample_inputs(1, z_dim, prior, codes, torch.Generator().manual_seed(int(seed)))[0].numpy().copy()


def seed_pick(seed: int, info: ModelInfo) -> Pick:
    vector = latent_from_seed(seed, info.latent_dim, info.latent_prior, info.info_codes)
    return Pick(vector, int(seed), f"seed {seed}")


@dataclass
class LatentState:
    """The explored latent.

    The current latent is ``base`` with the raw overrides written in, plus the principal-direction moves:
    ``z = base; z[i] = raw[i]; z += sum_k amounts[k] * sigma[k] * vectors[k]``.

    Events: ``changed(what)`` with what in "model", "latent", "directions", "label", "style".
    """

    info: ModelInfo | None = None
    base: Pick | None = None
    raw: dict[int, float] = field(default_factory=dict)  # latent index -> value set by its slider
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))  # [K, d] unit directions
    sigma: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))  # [K] latent std along each
    explained: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))  # [K] share of variance
    amounts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))  # [K] in sigmas, -3..3
    label: int = 0
    style: StyleSettings = field(default_factory=StyleSettings)  # style-based models' truncation and noise
    saved_file: str = ""  # the latent file last saved or loaded, while the latent is unchanged since
    changed: Event = field(default_factory=Event, repr=False, compare=False)  # emits what changed

    # --- model ---
    def set_model(self, info: ModelInfo, seed: int = 0) -> None:
        """A new generator: everything is reset and the base is ``seed``'s latent."""
        self.info, self.raw, self.label, self.saved_file = info, {}, 0, ""
        self.style = StyleSettings()
        self.vectors = np.zeros((0, info.latent_dim), np.float32)
        self.sigma = self.explained = self.amounts = np.zeros(0, np.float32)
        self.base = seed_pick(seed, info)
        self.changed.emit("model")

    def set_directions(self, vectors: np.ndarray, sigma: np.ndarray, explained: np.ndarray) -> None:
        self.vectors, self.sigma, self.explained = vectors, sigma, explained
        self.amounts = np.zeros(len(vectors), np.float32)
        self.changed.emit("directions")

    # --- editing ---
    def set_base(self, pick: Pick) -> None:
        """Another sample to edit; the slider edits stay, so the same edit can be seen on it."""
        self.base, self.saved_file = pick, ""
        self.changed.emit("latent")

    def raw_value(self, index: int) -> float:
        return self.raw.get(index, float(self.base.vector[index]) if self.base is not None else 0.0)

    def set_raw(self, index: int, value: float) -> None:
        self.raw[index], self.saved_file = float(value), ""
        self.changed.emit("latent")

    def set_raws(self, values: dict[int, float]) -> None:
        """Several coordinates at once (an InfoGAN code's one-hot entries): one change, one render."""
        self.raw.update({int(i): float(v) for i, v in values.items()})
        self.saved_file = ""
        self.changed.emit("latent")

    def set_style(self, **changes) -> None:
        """Change fields of :class:`StyleSettings` (psi, cutoff, noise, noise_seed)."""
        self.style = replace(self.style, **changes)
        self.changed.emit("style")

    def reset_raw(self, index: int) -> None:
        if self.raw.pop(index, None) is not None:
            self.saved_file = ""
            self.changed.emit("latent")

    def set_amount(self, k: int, value: float) -> None:
        self.amounts[k], self.saved_file = value, ""
        self.changed.emit("latent")

    def reset_all(self) -> None:
        self.raw, self.saved_file = {}, ""
        self.amounts = np.zeros_like(self.amounts)
        self.changed.emit("latent")

    def set_label(self, label: int) -> None:
        self.label, self.saved_file = int(label), ""
        self.changed.emit("label")

    @property
    def edited(self) -> bool:
        return bool(self.raw) or bool(np.any(self.amounts))

    def current(self) -> np.ndarray:
        """float32 [d], a fresh array (safe to hand to the render thread)."""
        if self.base is None:
            raise ValueError("no model loaded")
        z = self.base.vector.astype(np.float32).copy()
        for i, v in self.raw.items():
            z[i] = v
        if len(self.amounts):
            z += (self.amounts * self.sigma) @ self.vectors
        return z

    def current_label(self) -> int | None:
        return self.label if self.info is not None and self.info.conditional else None

    # --- files and the CLI ---
    def save(self, path: str | Path) -> None:
        """JSON with run, seed, label and vector (``gan_backend.latent.save_latent``)."""
        import torch

        from gan_backend.latent import save_latent

        seed = self.base.seed if self.base is not None and not self.edited else None
        save_latent(Path(path), torch.from_numpy(self.current()), self.info.run, seed, self.current_label())
        self.saved_file = str(path)

    def load(self, path: str | Path) -> None:
        """Make a saved latent the base (edits cleared); ValueError naming the file when it does not fit."""
        from gan_backend.latent import load_latent

        data = load_latent(Path(path), self.info.latent_dim)
        seed = data.get("seed")
        self.raw, self.amounts = {}, np.zeros_like(self.amounts)
        self.base = Pick(data["vector"].numpy().astype(np.float32), seed, Path(path).name)
        label = data.get("label")
        if self.info.conditional and isinstance(label, int) and 0 <= label < len(self.info.class_names):
            self.label = label
        self.saved_file = str(path)
        self.changed.emit("latent")

    def command(self) -> str:
        """The CLI line that draws the current picture: by seed when unedited, else from ``saved_file``."""
        run = shlex.quote(self.info.run)
        labels = f" --labels {self.label}" if self.info.conditional else ""
        if self.base is not None and self.base.seed is not None and not self.edited and not self.saved_file:
            return f"gan-studio sample {run} --seed {self.base.seed} --n 1 --out sample.png{labels}"
        return f"gan-studio sample {run} --latent {shlex.quote(self.saved_file)} --n 1 --out sample.png{labels}"


def export_strip_png(frames: np.ndarray, path: str | Path, min_side: int = 128) -> None:
    """Frames uint8 [K, H, W, C] side by side in one PNG, enlarged (nearest) so each is at least ``min_side``."""
    from gan_backend.images import make_grid, save_png

    save_png(make_grid(enlarge(frames, min_side), ncols=len(frames)), Path(path))


def export_gif(frames: np.ndarray, path: str | Path, frame_ms: int = 120, min_side: int = 128) -> int:
    """A looping animated GIF with one frame per path step; returns the frame count.

    Pillow merges neighbouring frames that are identical (same playback), so a path between two equal
    latents gives a one-frame GIF.
    """
    from PIL import Image

    big = enlarge(frames, min_side)
    images = [Image.fromarray(f.squeeze(-1) if f.shape[-1] == 1 else f) for f in big]
    images[0].save(path, save_all=True, append_images=images[1:], duration=frame_ms, loop=0)
    return len(images)


def enlarge(frames: np.ndarray, min_side: int) -> np.ndarray:
    """uint8 [K, H, W, C] repeated by the integer factor that makes each side >= min_side."""
    factor = max(1, -(-min_side // max(1, min(frames.shape[1:3]))))
    return frames.repeat(factor, axis=1).repeat(factor, axis=2) if factor > 1 else frames
