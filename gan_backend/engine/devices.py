"""Which compute devices exist, by name, with a human description."""
from __future__ import annotations

from dataclasses import dataclass

import torch


class DeviceError(ValueError):
    """A device name that is malformed or not present on this machine."""


@dataclass(frozen=True)
class DeviceInfo:
    name: str  # "cpu", "cuda:0", "mps"
    description: str  # "NVIDIA H100 80GB HBM3, 79.1 GiB"
    memory_bytes: int = 0  # 0 when unknown (CPU, MPS)


def list_devices() -> list[DeviceInfo]:
    """Every device torch can use here, CPU first."""
    import os

    out = [DeviceInfo("cpu", f"CPU, {os.cpu_count()} cores")]
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            p = torch.cuda.get_device_properties(i)
            out.append(DeviceInfo(f"cuda:{i}", f"{p.name}, {p.total_memory / 2**30:.1f} GiB", p.total_memory))
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        out.append(DeviceInfo("mps", "Apple Metal (MPS)"))
    return out


def resolve_device(name: str) -> torch.device:
    """'auto' picks the first accelerator, else CPU; anything else must be present or DeviceError says what is."""
    present = [d.name for d in list_devices()]
    if name == "auto":
        return torch.device(present[1] if len(present) > 1 else "cpu")
    wanted = "cuda:0" if name == "cuda" else name
    if wanted not in present:
        raise DeviceError(f"device {name!r} is not present on this machine; available: {', '.join(present)} "
                          f"(see `gan-studio list devices`)")
    return torch.device(wanted)
