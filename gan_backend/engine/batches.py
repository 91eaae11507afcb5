"""Batches drawn from an ArrayDataset as a pure function of (seed, batch index).

Each epoch is a permutation seeded by (seed, epoch), so a resumed run that knows how many batches
were drawn continues with exactly the batches a straight run would have drawn: no data-loader state
to save. Small datasets are moved to the device once, so the CPU does no per-step copying.
"""
from __future__ import annotations

import numpy as np
import torch

from gan_backend.data.base import ArrayDataset
from gan_backend.images import from_uint8

ON_DEVICE_LIMIT = 2 * 2**30  # bytes; uint8 datasets below this live on the accelerator
B_ORDER_SALT = 0x5EED_B0B  # added to the seed of domain B's order, so it never repeats A's order


def fitted_batch_size(data: ArrayDataset, batch_size: int, world: int = 1) -> int:
    """``batch_size``, or less for a dataset smaller than it: the most items it has (in both domains of
    unpaired data), rounded down to a multiple of ``world`` so every process gets an equal slice."""
    n = len(data) if data.kind != "unpaired" else min(len(data), len(data.extra["b"]))
    if n >= batch_size:
        return batch_size
    if n < world:
        raise ValueError(f"dataset {data.name!r} has {n} items, fewer than the {world} processes; "
                         f"add data or train on fewer processes")
    return n - n % world


def small_data_notices(data: ArrayDataset, asked: int, batch_size: int) -> list[str]:
    """One-line notices for a dataset smaller than the batch the config asked for."""
    out = []
    if batch_size < asked:
        out.append(f"dataset {data.name!r} has {len(data)} items, fewer than train.batch_size={asked}: "
                   f"training with batches of {batch_size}")
    if len(data) == 1 and data.kind != "picture":  # picture:PATH is SinGAN's, made for one picture
        out.append("one picture: expect copies of it (a GAN learns the pictures it sees; SinGAN is the model "
                   "that learns variations of one picture)")
    return out


class Batcher:
    """Batches of a dataset on ``device``; ``flip`` mirrors a random half of the pictures of each batch.

    Flips are drawn from torch's global RNG on the device (saved in checkpoints), so a resumed run
    flips exactly as a straight one.
    """

    def __init__(self, data: ArrayDataset, batch_size: int, seed: int, device: torch.device,
                 channels_last: bool = False, rank: int = 0, world: int = 1, flip: bool = False):
        if len(data) < batch_size:
            raise ValueError(f"dataset {data.name!r} has {len(data)} items, fewer than train.batch_size={batch_size}; "
                             f"lower the batch size or add data")
        if batch_size % world:
            raise ValueError(f"train.batch_size={batch_size} is the global batch and must divide evenly over "
                             f"{world} processes")
        self.batch_size, self.seed, self.device = batch_size, seed, device
        # Under torchrun every rank draws the same global batch and keeps its slice (as DistributedSampler).
        self.rank, self.local_batch = rank, batch_size // world
        self.drawn = 0  # batches handed out so far (saved in checkpoints)
        self.per_epoch = len(data) // batch_size  # drop the ragged last batch: BatchNorm dislikes tiny ones
        keep_on = device if (device.type != "cpu" and data.x.nbytes < ON_DEVICE_LIMIT) else torch.device("cpu")
        self.x = torch.from_numpy(np.ascontiguousarray(data.x)).to(keep_on)
        self.y = torch.from_numpy(data.labels.astype(np.int64)).to(keep_on) if data.labels is not None else None
        self.images = data.kind != "points"  # image, paired and unpaired items are uint8 pictures
        self.flip = flip and self.images
        # Paired data's aligned extra arrays ("segmap" label maps, "a" input pictures) travel with x, row for row.
        self.extra = {k: torch.from_numpy(np.ascontiguousarray(v)).to(keep_on) for k, v in data.extra.items()
                      if data.kind == "paired" and len(v) == len(data.x)}
        # Unpaired data's domain B has its own length and its own order (batch["b"]): no A row is matched to a B row.
        self.b = (torch.from_numpy(np.ascontiguousarray(data.extra["b"])).to(keep_on)
                  if data.kind == "unpaired" else None)
        if self.b is not None and len(self.b) < batch_size:
            raise ValueError(f"dataset {data.name!r} has {len(self.b)} pictures in domain B, fewer than "
                             f"train.batch_size={batch_size}; lower the batch size or add pictures")
        self._perm_b: tuple[int, torch.Tensor | None] = (-1, None)  # (B-epoch, its permutation)
        self.memory_format = torch.channels_last if channels_last and self.images else torch.contiguous_format
        self._epoch, self._perm = -1, None
        # Data left in host memory for a GPU run: gather each batch into pinned memory so the copy to the
        # device is asynchronous (two buffers, so a copy in flight is never overwritten).
        pin = device.type == "cuda" and self.x.device.type == "cpu"
        self._pinned = [torch.empty((self.local_batch, *self.x.shape[1:]), dtype=self.x.dtype).pin_memory()
                        for _ in range(2)] if pin else None

    @property
    def epoch(self) -> float:
        return self.drawn / self.per_epoch

    def next(self) -> dict[str, torch.Tensor]:
        epoch, pos = divmod(self.drawn, self.per_epoch)
        if epoch != self._epoch:
            gen = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
            self._perm = torch.randperm(len(self.x), generator=gen).to(self.x.device)
            self._epoch = epoch
        start = pos * self.batch_size + self.rank * self.local_batch
        idx = self._perm[start:start + self.local_batch]
        self.drawn += 1
        if self._pinned is not None:
            x = torch.index_select(self.x, 0, idx, out=self._pinned[self.drawn % 2])
        else:
            x = self.x.index_select(0, idx)
        if self.images:  # uint8 [B, H, W, C] -> float [B, C, H, W] in -1..1
            x = from_uint8(x.to(self.device, non_blocking=True)).contiguous(memory_format=self.memory_format)
        else:
            x = x.to(self.device, non_blocking=True)
        batch = {"x": x}
        if self.y is not None:
            batch["y"] = self.y.index_select(0, idx).to(self.device, non_blocking=True)
        for key, rows in self.extra.items():
            rows = rows.index_select(0, idx).to(self.device, non_blocking=True)
            batch[key] = from_uint8(rows) if rows.dim() == 4 else rows.long()  # pictures -1..1; maps int64 [B, H, W]
        if self.b is not None:
            batch["b"] = self._domain_b(self.drawn - 1)
        if self.flip:
            self._flip(batch)
        return batch

    def _flip(self, batch: dict[str, torch.Tensor]) -> None:
        """Mirror the same random rows of x and its paired arrays (one coin per row); B gets its own coins."""
        paired = [k for k in ("x", *self.extra) if k in batch]
        for keys in (paired, ["b"] if "b" in batch else []):
            if not keys:
                continue
            rows = batch[keys[0]]
            coin = torch.rand(rows.shape[0], device=rows.device) < 0.5  # [B] bool
            for key in keys:
                t = batch[key]  # [B, C, H, W] pictures or [B, H, W] label maps: the width is the last axis
                shape = (-1,) + (1,) * (t.dim() - 1)
                flipped = torch.where(coin.view(shape), t.flip(-1), t)
                batch[key] = flipped.contiguous(memory_format=self.memory_format) if t.dim() == 4 else flipped

    def _domain_b(self, index: int) -> torch.Tensor:
        """Batch ``index`` of domain B as float [B, C, H, W] in -1..1, from B's own permutation per B-epoch."""
        epoch, pos = divmod(index, len(self.b) // self.batch_size)
        if self._perm_b[0] != epoch:
            gen = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch + B_ORDER_SALT)
            self._perm_b = (epoch, torch.randperm(len(self.b), generator=gen).to(self.b.device))
        start = pos * self.batch_size + self.rank * self.local_batch
        rows = self.b.index_select(0, self._perm_b[1][start:start + self.local_batch])
        return from_uint8(rows.to(self.device, non_blocking=True)).contiguous(memory_format=self.memory_format)
