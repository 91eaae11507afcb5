"""Did the generator memorise? Nearest training items of generated samples, in pixels or in a feature space.

    idx, dist = nearest(sample_feats, train_feats)     # [N] index and Euclidean distance of each nearest item
    check = copy_check(sample_feats, train_feats)      # share of samples that sit on a training item
    pics = TrainingPictures.of_config(cfg)             # a run's pictures, for the gallery's "nearest real picture"
    hit = pics.nearest(cell)                           # uint8 [H, W, 3] sample -> Neighbour

A sample counts as a copy when it is closer to a training item than half the median distance between a
training item and its nearest other training item (leave-one-out). That yardstick adapts to the data and
to the space: a set of near-identical pictures has a small median and asks more of a "copy". It flags
exact and near-exact copies; a copy that is shifted, flipped or recoloured may pass in pixels (and, in a
feature space, a new picture with the same statistics may be flagged), so look at the pairs too.

The search is brute force in float32 on torch, in chunks of training items (a few tens of MB at a time),
then the distance to the winner is recomputed exactly in float64 so that a copy measures 0.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from gan_backend.images import grey_to_rgb

CHUNK_BYTES = 1 << 25  # ~32 MB of float32 training items per block of the search
COPY_FRACTION = 0.5  # copy: closer than this share of the median training-to-training NN distance
PROBE = 1000  # training items whose leave-one-out NN distance estimates the median
PROBE_SEED = 0


def flat(images: np.ndarray) -> np.ndarray:
    """uint8 [N, H, W, C] -> [N, H*W*min(C, 3)] (same dtype, a view when possible); RGBA loses its alpha."""
    return images[..., :3].reshape(len(images), -1)


def nearest(queries: np.ndarray, refs: np.ndarray, exclude: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """For each query [N, D] its nearest reference [M, D] (any numeric dtype): (int64 [N] index, float64 [N] distance).

    ``exclude``: int [N], a reference index each query may not match (its own, for leave-one-out), or -1.
    """
    q = torch.from_numpy(np.ascontiguousarray(queries, np.float32))
    q_norm = (q * q).sum(1)
    best_d = torch.full((len(q),), float("inf"))
    best_i = torch.zeros(len(q), dtype=torch.int64)
    skip = None if exclude is None else torch.as_tensor(np.asarray(exclude, np.int64))
    step = max(1, CHUNK_BYTES // (4 * max(1, q.shape[1])))
    for start in range(0, len(refs), step):
        r = torch.from_numpy(np.ascontiguousarray(refs[start:start + step], np.float32))  # [m, D]
        d2 = q_norm[:, None] - 2 * q @ r.T + (r * r).sum(1)[None]  # [N, m] squared distances
        if skip is not None:
            cols = skip - start
            rows = torch.nonzero((cols >= 0) & (cols < len(r))).flatten()
            d2[rows, cols[rows]] = float("inf")
        d, i = d2.min(1)
        better = d < best_d
        best_d[better], best_i[better] = d[better], i[better] + start
    idx = best_i.numpy()
    return idx, _exact_distances(queries, refs, idx)


def _exact_distances(queries: np.ndarray, refs: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """float64 [N]: |queries[n] - refs[idx[n]]|, in chunks (float32 cancellation would leave a copy at ~1e-3)."""
    out = np.empty(len(idx))
    step = max(1, CHUNK_BYTES // (8 * max(1, queries.shape[1])))
    for s in range(0, len(idx), step):
        diff = np.asarray(queries[s:s + step], np.float64) - np.asarray(refs[idx[s:s + step]], np.float64)
        out[s:s + step] = np.sqrt((diff * diff).sum(1))
    return out


def median_nn_distance(refs: np.ndarray, probe: int = PROBE, seed: int = PROBE_SEED) -> float:
    """Median distance from a training item to its nearest *other* training item, over up to ``probe`` items."""
    if len(refs) < 2:
        return float("nan")
    picked = np.arange(len(refs))
    if len(refs) > probe:
        picked = np.sort(np.random.default_rng(seed).choice(len(refs), probe, replace=False))
    _, dist = nearest(refs[picked], refs, exclude=picked)
    return float(np.median(dist))


@dataclass
class CopyCheck:
    """How many samples sit on a training item."""

    share: float  # samples closer to a training item than ``threshold``, 0..1 (nan: under 2 training items)
    threshold: float  # COPY_FRACTION x median_nn
    median_nn: float  # median leave-one-out NN distance among the training items
    index: np.ndarray  # int64 [N] nearest training item of each sample
    distance: np.ndarray  # float64 [N] its distance


def copy_check(samples: np.ndarray, train: np.ndarray, probe: int = PROBE) -> CopyCheck:
    """Samples [N, D] against training items [M, D] in one space (pixels from :func:`flat`, or features)."""
    median = median_nn_distance(train, probe)
    idx, dist = nearest(samples, train)
    threshold = COPY_FRACTION * median
    share = float(np.mean(dist < threshold)) if np.isfinite(threshold) and len(dist) else float("nan")
    return CopyCheck(share, threshold, median, idx, dist)


# --- the gallery's nearest real picture ---
@dataclass
class Neighbour:
    """The training picture nearest a sample, in pixels."""

    index: int  # in the run's training data
    image: np.ndarray  # uint8 [H, W, 3]
    rms: float  # root-mean-square pixel difference, 0..1 (0: identical)
    median_rms: float  # the same between a training picture and its nearest other one (median)
    count: int  # training pictures searched

    @property
    def looks_copied(self) -> bool:
        return self.rms < COPY_FRACTION * self.median_rms


@dataclass
class TrainingPictures:
    """A run's training pictures, loaded once, for nearest-picture look-ups in pixels."""

    images: np.ndarray  # uint8 [N, H, W, C] as the run trained on them
    median_rms: float  # see Neighbour

    @classmethod
    def of_config(cls, cfg) -> "TrainingPictures":
        """Load ``cfg``'s data (a Config) as training did; raises DatasetError when it cannot be read."""
        from gan_backend.data import DatasetError, load_data

        data = load_data(cfg)
        if data.x.ndim != 4 or data.x.dtype != np.uint8:
            raise DatasetError(f"dataset {cfg.data.dataset!r} holds {data.kind} data, not pictures")
        return cls(data.x, median_nn_distance(flat(data.x)) / _rms_scale(data.x))

    def nearest(self, image: np.ndarray) -> Neighbour:
        """The training picture nearest ``image``, uint8 [H, W, 3] (or [H, W, C] like the training pictures)."""
        h, w, c = self.images.shape[1:]
        if image.shape[:2] != (h, w):
            raise ValueError(f"the sample is {image.shape[1]}x{image.shape[0]} pixels, the training pictures "
                             f"{w}x{h}; they cannot be compared")
        sample = image[..., :1] if c == 1 else grey_to_rgb(image)  # grid cells are RGB; grey data repeats it
        idx, dist = nearest(flat(sample[None]), flat(self.images))
        return Neighbour(int(idx[0]), grey_to_rgb(self.images[idx[0], ..., :3]).copy(),
                         float(dist[0]) / _rms_scale(self.images), self.median_rms, len(self.images))


def _rms_scale(images: np.ndarray) -> float:
    """Turns a Euclidean distance between uint8 pictures into an RMS difference in 0..1."""
    return 255.0 * float(np.sqrt(flat(images[:1]).shape[1]))
