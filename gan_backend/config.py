"""Run configuration: one dataclass per concern, serialised as ``config.json`` in each run directory.

The same config drives the CLI and the Studio window. Every field has a one-line comment saying why
it exists; ``--set section.field=value`` (or a bare ``field=value`` when unambiguous) changes any of them.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """A config field that does not exist or has the wrong type; the message names the field."""


@dataclass
class DataConfig:
    dataset: str = "glyphs"  # registry name ("glyphs", "toy2d:ring8") or "kind:PATH" ("mnist:~/mnist")
    n: int = 0  # items to generate for built-in datasets (0 = the dataset's default)
    data_seed: int = 0  # seed of a generated dataset, separate from the training seed so runs share data
    image_size: int = 0  # resize images to this square size (0 = keep the dataset's size); picture:PATH: its longest side
    crop: str = "center"  # folders: "center" crop, "random" (a fixed per-item offset) or "pad" (all of it, on background bars)
    background: str = "white"  # folders: colour that transparent pixels are composited on, and of "pad"'s bars
    flip: bool = False  # random horizontal flips of real pictures each batch: twice the data for free when left = right
    cache_dir: str = ""  # folders: where decoded arrays are cached ("" = system temp folder, "off" = never)
    split: str = ""  # on-disk datasets: "train", "test" or "val" ("" = the dataset's default, train)


@dataclass
class ModelConfig:
    name: str = "dcgan"  # architecture from the model registry (`gan-studio list models`)
    latent_dim: int = 100  # size of z; DCGAN's 100 is plenty for 28x28 digits
    latent_prior: str = "normal"  # "normal" or "uniform" (-1..1) prior for z
    width: int = 32  # base channels (ngf = ndf; mlp: hidden units): 32 trains digits fast on a CPU, 64 is the paper's
    g_dropout: float = 0.0  # dropout in G: a course tip that adds noise and fights G memorising
    conditional: bool = False  # feed class labels to mlp/sngan when the data has them (cdcgan always does)
    cond_mode: str = "projection"  # how cdcgan's D sees labels: "projection" (Miyato) or "concat"
    spectral_norm_d: bool = False  # spectral norm in D: a Lipschitz bound that steadies any loss
    attention: int = 0  # dcgan/sngan: a SAGAN self-attention block in G and D at feature maps of this side (0 = none)
    g_arch: str = "resnet"  # cyclegan's G: "resnet" (residual blocks at 1/4 size) or "unet" (pix2pix's, with skips)
    style_encoder: bool = False  # spade: a VAE encoder of the real picture's style, so z means something (GauGAN)
    g_widths: str = ""  # spade: G's channels at H/16 ... H in multiples of width, e.g. "8,8,4,1,1" ("" = 8,8,4,2,1)
    g_noise: bool = False  # spade: per-pixel noise after each conv (StyleGAN's), for textures a flat map cannot give
    scale_factor: float = 0.75  # singan: side ratio between neighbouring scales of the pyramid (the paper's 0.75)
    min_side: int = 25  # singan: shorter side of the coarsest scale, in pixels (the paper's 25)
    map_depth: int = 2  # stylegan: layers of the mapping network z -> w (2-4 at low resolution; the paper's 8 at 1024)
    style_mixing: float = 0.9  # stylegan: share of training samples drawn from two w's cut at a random layer
    info_codes: str = ""  # dcgan/stylegan: InfoGAN latent codes, e.g. "cat10" or "cat10,cont2" ("" = none)


@dataclass
class LossConfig:
    name: str = "nonsaturating"  # from the loss registry; non-saturating gives G gradient early on
    penalty: str = "none"  # "none", "gp" (WGAN-GP style) or "r1" (Mescheder et al.); any loss
    penalty_weight: float = 10.0  # lambda of the gradient penalty, gamma of R1
    clip_value: float = 0.01  # weight clipping bound of the original WGAN (used by loss "wgan")
    cycle_weight: float = 10.0  # CycleGAN's lambda: L1 of A -> B -> A (and B -> A -> B) keeps each picture's content
    identity_weight: float = 0.5  # x lambda: L1 of G_A(B) to B; keeps colours when nothing needs changing (0 = off)
    pool_size: int = 50  # CycleGAN: D also sees fakes from a history of this many, so G cannot chase D (0 = off)
    kld_weight: float = 0.05  # spade + style_encoder: KL of the style code to N(0, I), so random z are valid styles
    recon_weight: float = 10.0  # spade + style_encoder: L1 of G(map, encoded style) to the real picture (VGG-free)
    r1_every: int = 1  # lazy R1 (StyleGAN2): the penalty every this many D steps, weighted by it (stylegan: 16)
    path_length: float = 0.0  # stylegan: weight of path-length regularisation (the paper's 2; 0 = off), every 4 G steps
    info_weight: float = 1.0  # InfoGAN's lambda: weight of the mutual-information loss on model.info_codes
    # Q reads the codes from fakes transformed by these augmentation ops ("" = as they are): codes then carry
    # what survives them (e.g. a digit's identity), not what they change (its slant, place or size)
    info_augment: str = ""


@dataclass
class TrainConfig:
    steps: int = 5000  # generator steps (the unit of "step" everywhere); ~3 min for glyphs on 2 CPU cores
    max_time: float = 0.0  # wall-clock budget in seconds; stops cleanly with a checkpoint (0 = none)
    batch_size: int = 64  # images per D and per G step
    lr_g: float = 2e-4  # G learning rate (separate from D's for TTUR)
    lr_d: float = 2e-4  # D learning rate
    beta1: float = 0.5  # Adam beta1; 0.5 as in DCGAN keeps momentum from overshooting
    beta2: float = 0.999  # Adam beta2
    d_steps: int = 1  # D updates per G update (5 for WGAN)
    g_steps: int = 1  # G updates per step (>1 when D overpowers G)
    seed: int = 0  # seeds weights, noise and data order; same seed = same run
    device: str = "auto"  # "auto", "cpu", "cuda", "cuda:N" or "mps"
    amp: str = "off"  # mixed precision on CUDA: "off", "bf16" or "fp16" (one GradScaler)
    channels_last: bool = False  # NHWC memory format: faster convs on recent GPUs
    compile: bool = False  # torch.compile G and D; falls back to eager with a logged reason if it fails
    cudnn_benchmark: bool = True  # let cuDNN time its kernels once for our fixed shapes (CUDA only)
    label_smoothing: float = 0.0  # one-sided: real targets 1-s (Salimans et al.) against an overconfident D
    label_flip: float = 0.0  # probability of swapping real/fake targets for D: noisy labels
    instance_noise: float = 0.0  # std of Gaussian noise added to D's inputs, annealed to 0 over the run
    ema: float = 0.999  # decay of the exponential moving average of G used for samples (0 = off)
    num_threads: int = 0  # CPU threads for torch (0 = torch's default)
    augment: str = "auto"  # D's inputs: "none", "diffaug", "ada" or "auto" (ada under 20k pictures): few pictures let D memorise
    augment_policy: str = "color,translation,cutout"  # diffaug's ops in order (gan_backend.augment.OPS): DiffAugment's three
    ada_target: float = 0.6  # ada: target of r_t = E[sign(D(real))]; p rises while D is surer of the reals than this
    ada_kimg: float = 500.0  # ada: thousands of images for p to go 0 -> 1 (the paper's 500; lower it for short CPU runs)


# The ``train`` fields safe to change while training (TrainControl.change): the one list, which the
# loop applies between steps and the GUI leaves unlocked during a run.
LIVE_FIELDS: tuple[str, ...] = ("lr_g", "lr_d", "d_steps", "g_steps")


@dataclass
class RunConfig:
    run_dir: str = ""  # where config, metrics, samples and checkpoints go ("" = runs/<time>-<dataset>)
    log_every: int = 10  # steps between metric lines (each is a flushed line of metrics.jsonl)
    sample_every: int = 100  # steps between fixed-noise sample grids
    checkpoint_every: int = 500  # steps between step checkpoints
    keep_checkpoints: int = 3  # step checkpoints kept besides last.pt
    grid_size: int = 64  # samples in each fixed-noise grid (a square number looks best)
    eval_every: int = 0  # steps between quality evaluations of G_ema, and at the end (0 = never); keeps best.pt
    eval_metric: str = "fid"  # picks checkpoints/best.pt: fid, kid (lower wins) or modes_covered, classes_covered, ...
    eval_n: int = 1000  # generated and real samples per evaluation: more is steadier, and slower
    tensorboard: bool = True  # also write TensorBoard event files into RUN/tensorboard (when tensorboard is installed)


@dataclass
class Config:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    run: RunConfig = field(default_factory=RunConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any], source: str = "config") -> "Config":
        cfg = cls()
        if not isinstance(raw, dict):
            raise ConfigError(f"{source}: expected a JSON object of sections, got {type(raw).__name__}")
        for section, values in raw.items():
            if section not in _sections():
                raise ConfigError(f"{source}: unknown section {section!r}; sections are {', '.join(_sections())}")
            if not isinstance(values, dict):
                raise ConfigError(f"{source}: section {section!r} must be an object")
            for name, value in values.items():
                cfg.set(f"{section}.{name}", value, source=source)
        return cfg

    def set(self, key: str, value: Any, source: str = "--set") -> None:
        """Set ``section.field`` (or a unique bare ``field``); strings are parsed to the field's type."""
        section, name = self._locate(key, source)
        target = getattr(self, section)
        kind = type(getattr(target, name))
        setattr(target, name, _coerce(value, kind, f"{source}: {section}.{name}"))

    def _locate(self, key: str, source: str) -> tuple[str, str]:
        if "." in key:
            section, _, name = key.partition(".")
            if section not in _sections():
                raise ConfigError(f"{source}: unknown section {section!r} in {key!r}; sections are {', '.join(_sections())}")
            if name not in _field_names(section):
                raise ConfigError(f"{source}: {section!r} has no field {name!r}; fields: {', '.join(_field_names(section))}")
            return section, name
        owners = [s for s in _sections() if key in _field_names(s)]
        if len(owners) != 1:
            hint = "; write section.field" if owners else "; see `gan-studio train --help-config`"
            raise ConfigError(f"{source}: no single config field named {key!r}{hint}")
        return owners[0], key

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "Config":
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: no such config file") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid JSON ({exc}); fix the file or pass another --config") from None
        return cls.from_dict(raw, source=str(path))


def _sections() -> list[str]:
    return [f.name for f in dataclasses.fields(Config)]


def _field_names(section: str) -> list[str]:
    return [f.name for f in dataclasses.fields(getattr(Config(), section))]


def _coerce(value: Any, kind: type, where: str) -> Any:
    if isinstance(value, str) and kind is not str:
        text = value.strip().lower()
        if kind is bool:
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        try:
            return kind(float(text)) if kind is int and float(text).is_integer() else kind(text)
        except ValueError:
            raise ConfigError(f"{where}: expected {kind.__name__}, got {value!r}") from None
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(f"{where}: expected {kind.__name__}, got {type(value).__name__} {value!r}")
    return value


def describe_fields() -> list[str]:
    """One line per field with its default and its why, for `--help-config` and the GUI tooltips."""
    out = []
    for section in _sections():
        cls = type(getattr(Config(), section))
        comments = field_comments(cls)
        for f in dataclasses.fields(cls):
            out.append(f"{section}.{f.name} = {getattr(cls(), f.name)!r}  # {comments.get(f.name, '')}")
    return out


def field_comments(cls: type) -> dict[str, str]:
    """The trailing ``# why`` comment of each field, read from the source (the single place it is written)."""
    import inspect
    import re

    comments = {}
    for line in inspect.getsource(cls).splitlines():
        m = re.match(r"\s+(\w+):.*?#\s*(.+)$", line)
        if m:
            comments[m.group(1)] = m.group(2).strip()
    return comments
