"""The Task: what differs between GAN families, so the engine loop never special-cases a model.

A task builds its networks from the registries, and does one D step and one G step on a batch,
returning named scalar tensors (``loss_names`` lets the plots discover them, as junyanz's BaseModel does).
Unconditional and class-conditional GANs live in :mod:`gan_backend.tasks.gan`; paired and unpaired
translation tasks register here too.
"""
from __future__ import annotations

import contextlib
from typing import Any

import numpy as np
import torch
import torch.nn as nn

from gan_backend.config import Config
from gan_backend.data.base import ArrayDataset
from gan_backend.models import MODELS
from gan_backend.registry import Registry


class Task:
    """Base class. Subclasses set ``loss_names`` and implement the abstract methods."""

    loss_names: tuple[str, ...] = ("loss_d", "loss_g")
    owns_time_budget = False  # True: the task divides train.max_time itself (SinGAN's scales); the loop won't cut it

    def __init__(self, cfg: Config, data: ArrayDataset, device: torch.device, rank: int = 0, world: int = 1):
        self.cfg, self.data, self.device = cfg, data, device
        self.rank, self.world = rank, world  # this process's share of each global batch under torchrun
        self.progress = 0.0  # fraction of the run done, set by the loop (anneals instance noise)
        self.notices: list[str] = []  # one-line messages for the user (e.g. a compile fallback), drained by the loop
        amp = cfg.train.amp if device.type == "cuda" else "off"
        self.autocast_dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(amp)
        # One GradScaler for both optimisers (fp16 only): the documented pattern for multiple losses.
        self.scaler = torch.amp.GradScaler("cuda", enabled=amp == "fp16")

    # --- to implement ---
    def modules(self) -> dict[str, nn.Module]:
        """Every network whose weights go into a checkpoint, by name."""
        raise NotImplementedError

    def optimizers(self) -> dict[str, torch.optim.Optimizer]:
        raise NotImplementedError

    def d_step(self, batch: dict[str, torch.Tensor], measure: bool, keep_fakes: bool = True) -> dict[str, torch.Tensor]:
        """One D update; ``keep_fakes``: the G step comes next and may reuse this step's generated batch."""
        raise NotImplementedError

    def g_step(self, batch: dict[str, torch.Tensor], measure: bool) -> dict[str, torch.Tensor]:
        raise NotImplementedError

    def sample_picture(self) -> np.ndarray:
        """The fixed-input sample grid as uint8 [H, W, 3]; must not touch the training RNG."""
        raise NotImplementedError

    def meta(self) -> dict[str, Any]:
        """Facts a reader of the checkpoint needs to rebuild the networks, beyond the data's shape and classes."""
        return {}

    def setting(self, name: str):
        """A config field (``"train.lr_g"``), or the model's own default for it when the config leaves it at the
        generic default: a model registered with ``defaults={"train.lr_g": 0.002}`` trains as its paper did unless the
        user chose otherwise (stylegan's Adam settings and lazy R1)."""
        section, field = name.split(".")
        part = getattr(self.cfg, section)
        value = getattr(part, field)
        own = MODELS.entry(self.cfg.model.name).meta.get("defaults", {})
        return own[name] if name in own and value == getattr(type(part)(), field) else value

    def schedule_done(self) -> bool:
        """True when the task's own schedule has ended before ``train.steps`` (SinGAN's last scale)."""
        return False

    def take_milestone(self) -> bool:
        """True once after a stage of the task's schedule ends: the loop writes a sample and a step checkpoint."""
        return False

    def train_step(self, next_batch, d_steps: int, g_steps: int, measure: bool):
        """One generator step: ``d_steps`` D updates on fresh batches, then ``g_steps`` G updates.

        Yields each update's statistics; ``measure`` asks the last D and last G update for gradient norms.
        """
        for i in range(d_steps):
            batch = next_batch()
            yield self.d_step(batch, measure and i == d_steps - 1, keep_fakes=i == d_steps - 1)
        for i in range(g_steps):
            yield self.g_step(batch, measure and i == g_steps - 1)

    # --- distribution ---
    def distribute(self, module: nn.Module):
        """The callable that trains a network: DDP-wrapped under torchrun, compiled when asked."""
        from gan_backend.engine.fastpaths import maybe_compile

        if self.world > 1:
            from gan_backend.engine.distributed import wrap_ddp

            module = wrap_ddp(module, self.device)
        return maybe_compile(module, self.cfg.train.compile, self.notices)

    def drop_compile(self, exc: BaseException) -> bool:
        """After a failure inside a compiled graph (often its backward): go eager; False if nothing was compiled."""
        from gan_backend.engine.fastpaths import CompiledOrEager

        live = [m for m in vars(self).values() if isinstance(m, CompiledOrEager) and not m.failed]
        for m in live:
            m.give_up(exc)
        for opt in self.optimizers().values():
            opt.zero_grad(set_to_none=True)
        return bool(live)

    def shard(self, t: torch.Tensor) -> torch.Tensor:
        """This rank's rows of a tensor drawn for the global batch (identical draws on every rank)."""
        if self.world <= 1:
            return t
        n = t.shape[0] // self.world
        return t[self.rank * n:(self.rank + 1) * n]

    def rank_mean(self, t: torch.Tensor) -> torch.Tensor:
        """The mean of a tensor over ranks (itself in one process): for statistics every rank must agree on."""
        if self.world <= 1:
            return t
        from gan_backend.engine.distributed import DistInfo, all_mean

        return all_mean(t, DistInfo(self.rank, self.world))

    # --- shared plumbing ---
    def autocast(self):
        if self.autocast_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.autocast_dtype)

    def optimise(self, loss: torch.Tensor, opt: torch.optim.Optimizer, params, measure: bool) -> torch.Tensor | None:
        """Backward, optional grad norm (unscaled), step. Returns the grad norm tensor when ``measure``."""
        opt.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        norm = None
        if measure:
            self.scaler.unscale_(opt)
            grads = [p.grad for p in params if p.grad is not None]
            norm = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads))) if grads else loss.new_zeros(())
        self.scaler.step(opt)
        self.scaler.update()
        return norm

    def set_lr(self, name: str, lr: float) -> None:
        for group in self.optimizers()[name].param_groups:
            group["lr"] = lr

    def lr(self, name: str) -> float:
        return float(self.optimizers()[name].param_groups[0]["lr"])

    def state_dict(self) -> dict[str, Any]:
        return {
            "modules": {k: m.state_dict() for k, m in self.modules().items()},
            "optimizers": {k: o.state_dict() for k, o in self.optimizers().items()},
            "scaler": self.scaler.state_dict(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        for k, m in self.modules().items():
            m.load_state_dict(state["modules"][k])
        for k, o in self.optimizers().items():
            o.load_state_dict(state["optimizers"][k])
        if state.get("scaler"):
            self.scaler.load_state_dict(state["scaler"])


TASKS: Registry[type[Task]] = Registry("task")
