"""Multi-process training on PyTorch's own DistributedDataParallel, launched by torchrun.

One process per device; ``torchrun --nproc_per_node=N -m gan_backend.cli train ...`` sets RANK,
WORLD_SIZE and LOCAL_RANK, and :func:`init_from_env` joins the group (gloo on CPU, nccl on CUDA).
Each rank takes its slice of every global batch (the batch size in the config is the global one) and
its slice of the same global noise draw, so N processes do the maths of one process with the full
batch, except for BatchNorm statistics, which stay per rank on CPU (see :func:`wrap_ddp`).
Rank 0 alone writes metrics, samples and checkpoints; every rank resumes from the same checkpoint.
"""
from __future__ import annotations

import inspect
import os
import sys
from dataclasses import dataclass

import torch
import torch.distributed as dist
import torch.nn as nn

from gan_backend.engine.signals import call_forwarding_signals


@dataclass(frozen=True)
class DistInfo:
    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        return self.rank == 0


def init_from_env(device_name: str) -> DistInfo:
    """Join the process group when launched by torchrun; a single process gets DistInfo()."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return DistInfo()
    if not dist.is_initialized():
        use_nccl = device_name != "cpu" and torch.cuda.is_available()
        if use_nccl:
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
        dist.init_process_group("nccl" if use_nccl else "gloo")
    return DistInfo(dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", "0")))


def device_for(info: DistInfo, device: torch.device) -> torch.device:
    """Under torchrun on CUDA each rank owns cuda:LOCAL_RANK."""
    if info.world > 1 and device.type == "cuda":
        return torch.device("cuda", info.local_rank)
    return device


def wrap_ddp(module: nn.Module, device: torch.device) -> nn.Module:
    """DDP around a network, with the two GAN-specific choices:

    - D runs two forwards (real, fake) before one backward. Re-broadcasting BatchNorm buffers at each
      forward (DDP's default) writes them in place between the forwards and breaks the backward, so
      buffers are synced only at construction. On CUDA, BatchNorm becomes SyncBatchNorm, so statistics
      are those of the global batch; SyncBatchNorm has no CPU kernel, so on CPU each rank normalises
      with its own slice's statistics (the losses then differ slightly from one process).
    - Gradient penalties need a double backward, which DDP does not support: tasks compute them on the
      bare module (the gradient hooks still fire once per parameter in the outer backward).
    """
    from torch.nn.parallel import DistributedDataParallel as DDP

    if device.type == "cuda":
        module = nn.SyncBatchNorm.convert_sync_batchnorm(module)
    params = inspect.signature(DDP.__init__).parameters
    no_resync = {"forward_sync_buffers": False} if "forward_sync_buffers" in params else {"broadcast_buffers": False}
    ids = [device.index] if device.type == "cuda" else None
    return DDP(module, device_ids=ids, **no_resync)


def all_mean(values: torch.Tensor, info: DistInfo) -> torch.Tensor:
    """Mean of a tensor over ranks (reports show the global batch, not rank 0's slice)."""
    if info.world > 1:
        values = values.clone()
        dist.all_reduce(values)
        values /= info.world
    return values


def any_rank(flag: bool, info: DistInfo, device: torch.device) -> bool:
    """True on every rank when it is true on one: stop and time-budget decisions must agree."""
    if info.world <= 1:
        return flag
    t = torch.tensor([1.0 if flag else 0.0], device=device)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return bool(t.item())


def broadcast_str(text: str, info: DistInfo) -> str:
    """Rank 0's string on every rank (e.g. the run directory it chose)."""
    if info.world <= 1:
        return text
    box = [text]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def barrier(info: DistInfo) -> None:
    if info.world > 1:
        dist.barrier()


def launch_torchrun(nproc: int, argv: list[str]) -> int:
    """`gan-studio train --nproc N ...`: re-run the same command under torchrun with N processes."""
    rest, skip = [], False
    for a in argv:
        if skip:
            skip = False
            continue
        if a == "--nproc":
            skip = True
            continue
        if not a.startswith("--nproc="):
            rest.append(a)
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}",
           "-m", "gan_backend.cli", *rest]
    return call_forwarding_signals(cmd)  # SIGTERM to the launcher reaches every rank, which saves first
