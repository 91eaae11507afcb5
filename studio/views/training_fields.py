"""Which config fields the training panel shows, and how: the table the panel is generated from.

Combos come from the registries (see ``studio.state.catalog``); numbers and tips from the config
dataclasses, whose one-line comments become the tooltips. A new registry entry needs no change here.
"""
from __future__ import annotations

from gan_backend import config

# (config key, label, minimum, maximum) for numeric fields; the widget type follows the field's type.
NUMBER_FIELDS = [
    ("model.latent_dim", "Latent size", 1, 4096),
    ("model.width", "Width (channels)", 4, 1024),
    ("model.attention", "Self-attention at side", 0, 256),
    ("model.map_depth", "Mapping layers (stylegan)", 1, 8),
    ("model.style_mixing", "Style mixing (stylegan)", 0.0, 1.0),
    ("train.lr_g", "Learning rate G", 1e-7, 1.0),
    ("train.lr_d", "Learning rate D", 1e-7, 1.0),
    ("train.batch_size", "Batch size", 1, 4096),
    ("train.d_steps", "D steps per G step", 1, 50),
    ("train.g_steps", "G steps per D step", 1, 50),
    ("train.seed", "Seed", 0, 2**31 - 1),
    ("train.steps", "Steps", 1, 10_000_000),
]

# Config key -> TrainControl.change name of the fields safe to change while training (the backend's list).
LIVE_FIELDS = {f"train.{name}": name for name in config.LIVE_FIELDS}

# The course's training tips: checkbox text and the value a checked box sets (unchecked = off).
TIPS = [
    ("train.label_smoothing", "One-sided label smoothing (0.1)", 0.1, 0.0),
    ("train.label_flip", "Noisy labels: flip 5% of D's targets", 0.05, 0.0),
    ("train.instance_noise", "Instance noise on D's inputs (0.1, annealed)", 0.1, 0.0),
    ("model.g_dropout", "Dropout in G (0.3)", 0.3, 0.0),
    ("train.ema", "EMA of G for samples (0.999)", 0.999, 0.0),
    ("model.spectral_norm_d", "Spectral norm in D", True, False),
    ("data.flip", "Random horizontal flips of the real pictures", True, False),
    ("loss.path_length", "Path-length regularisation (stylegan, weight 2)", 2.0, 0.0),
]

# model.info_codes choices (InfoGAN codes for dcgan and stylegan); any other spelling works from the CLI.
INFO_CODE_CHOICES = [("none", ""), ("one 10-way code", "cat10"), ("10-way + 2 continuous", "cat10,cont2"),
                     ("2 continuous", "cont2")]

AMP_MODES = ["off", "bf16", "fp16"]

# data.image_size choices for a model registered without ``sizes=`` (it runs at any size); 0 is always offered.
ANY_MODEL_SIZES = (16, 28, 32, 64, 128)

GROUPS = [
    ("Model", ["model.name", "model.latent_dim", "model.width", "model.attention", "model.info_codes"]),
    ("Style-based", ["model.map_depth", "model.style_mixing"]),
    ("Data", ["data.image_size", "data.crop", "train.augment"]),
    ("Loss", ["loss.name", "loss.penalty"]),
    ("Optimisation", ["train.lr_g", "train.lr_d", "train.batch_size", "train.d_steps", "train.g_steps"]),
    ("Run", ["train.device", "train.amp", "train.seed", "train.steps"]),
]
