"""What this install is: versions, accelerators and the folders GAN Studio uses, for `--version` and bug reports."""
from __future__ import annotations

import platform
import sys
from importlib import metadata
from pathlib import Path


def version() -> str:
    """The installed distribution's version (the clone's pyproject version in an editable install)."""
    try:
        return metadata.version("gan-studio")
    except metadata.PackageNotFoundError:
        return "unknown (not installed; run `pip install -e .`)"


def diagnostics(folders: dict[str, str] | None = None) -> dict[str, str]:
    """Ordered facts for a bug report; ``folders`` adds the window's own (settings file, autosave)."""
    import torch

    from gan_backend import resources
    from gan_backend.data.cache import default_dir

    facts = {"GAN Studio": version(), "Python": f"{platform.python_version()} ({sys.executable})",
             "platform": platform.platform(), "torch": torch.__version__}
    if torch.cuda.is_available():
        names = [f"{torch.cuda.get_device_name(i)} ({torch.cuda.get_device_properties(i).total_memory / 2**30:.0f} GiB)"
                 for i in range(torch.cuda.device_count())]
        facts["CUDA"] = f"{torch.version.cuda}: " + ", ".join(names)
    else:
        facts["CUDA"] = f"not available (torch built for CUDA {torch.version.cuda})" if torch.version.cuda else "no"
    mps = getattr(torch.backends, "mps", None)
    facts["MPS"] = "available" if mps is not None and mps.is_available() else "no"
    facts["CPU threads"] = str(torch.get_num_threads())
    facts["runs folder"] = str(Path("runs").resolve()) + " (default --run-dir root)"
    facts["dataset cache"] = f"{default_dir()} (data.cache_dir)"
    facts["shipped models"] = str(resources.path("models"))
    facts.update(folders or {})
    return facts


def format_diagnostics(facts: dict[str, str]) -> str:
    width = max(map(len, facts))
    return "\n".join(f"{k + ':':<{width + 1}} {v}" for k, v in facts.items())
