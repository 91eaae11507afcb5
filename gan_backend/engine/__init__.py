"""The training engine: loop, reports, checkpoints, run directories, devices, distributed training.

Import the submodules directly (``gan_backend.engine.loop``, ``.run_dir``, ...): this package imports
nothing itself, so reading a run directory does not pull in torch.
"""
