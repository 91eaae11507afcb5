"""Tasks: unconditional and class-conditional GANs (paired and unpaired translation register here too)."""
from gan_backend.config import Config
from gan_backend.models import MODELS
from gan_backend.tasks.base import TASKS, Task
from gan_backend.tasks import gan as _gan  # noqa: F401  (registers its tasks)
from gan_backend.tasks import paired as _paired  # noqa: F401,E402
from gan_backend.tasks import unpaired as _unpaired  # noqa: F401,E402
from gan_backend.tasks import vae as _vae  # noqa: F401,E402
from gan_backend.tasks import singan as _singan  # noqa: F401,E402


def task_name_for(cfg: Config) -> str:
    """The task a model trains under, from the model registry's metadata and ``model.conditional``."""
    meta = MODELS.entry(cfg.model.name).meta
    if "task" in meta:
        return meta["task"]
    needs = meta.get("conditional", "never")
    return "conditional" if needs == "required" or (needs == "optional" and cfg.model.conditional) else "unconditional"


__all__ = ["TASKS", "Task", "task_name_for"]
