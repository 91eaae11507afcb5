"""GPU fast paths that must never cost a run: torch.compile with an eager fallback, cuDNN autotuning."""
from __future__ import annotations

import logging

import torch
import torch.nn as nn

from gan_backend.errors import first_line

log = logging.getLogger("gan_backend")


class CompiledOrEager:
    """Calls the compiled network; on the first failure logs why and stays eager for good.

    torch.compile can fail late (at the first call, on an unsupported op or a missing compiler); the
    gradient penalties' double backward is kept off compiled graphs by running on the bare module.
    """

    def __init__(self, module: nn.Module, notices: list[str]):
        self.eager, self.notices, self.failed = module, notices, False
        self.compiled = torch.compile(module)

    def give_up(self, exc: BaseException) -> None:
        """Stay eager from now on (also called when a compiled graph's backward failed)."""
        self.failed = True
        self.notices.append(f"torch.compile failed for {type(self.eager).__name__}, running eagerly: {first_line(exc)}")
        log.warning(self.notices[-1])

    def __call__(self, *args, **kwargs):
        if not self.failed:
            try:
                return self.compiled(*args, **kwargs)
            except Exception as exc:  # any backend error: the run goes on eagerly
                self.give_up(exc)
        return self.eager(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.eager, name)


def maybe_compile(module: nn.Module, enabled: bool, notices: list[str]):
    if not enabled:
        return module
    try:
        return CompiledOrEager(module, notices)
    except Exception as exc:
        notices.append(f"torch.compile unavailable, running eagerly: {first_line(exc)}")
        log.warning(notices[-1])
        return module


def configure_backends(device: torch.device, cudnn_benchmark: bool) -> None:
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = cudnn_benchmark  # fixed shapes: let cuDNN pick the fastest kernels
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
