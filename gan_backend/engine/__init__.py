"""The training engine: loop, reports, checkpoints, run directories, devices."""
from gan_backend.engine.checkpoint import CheckpointError
from gan_backend.engine.devices import DeviceError, list_devices, resolve_device
from gan_backend.engine.loop import Trainer, TrainingError
from gan_backend.engine.reports import RunEnded, SampleReport, TrainControl, TrainReport
from gan_backend.engine.run_dir import RunDir, RunDirError

__all__ = ["CheckpointError", "DeviceError", "RunDir", "RunDirError", "RunEnded", "SampleReport", "TrainControl",
           "TrainReport", "Trainer", "TrainingError", "list_devices", "resolve_device"]
