"""Readers of datasets on disk, one module per kind, each a ``"kind:PATH"`` entry in ``DATASETS``.

* ``mnist:PATH``: IDX files, gzipped or raw (:mod:`~gan_backend.data.disk.mnist`)
* ``cifar10:PATH``: CIFAR-10 python batches, read without running pickle code (:mod:`~gan_backend.data.disk.cifar10`)
* ``folder:PATH``: a folder of pictures, flat or one subfolder per class (:mod:`~gan_backend.data.disk.folder`)
* ``npz:PATH``: a NumPy archive of ``images`` [+ ``labels``] (:mod:`~gan_backend.data.disk.npz`)
* ``paired:PATH``: pix2pix pairs, A|B side by side or A/ + B/ (:mod:`~gan_backend.data.disk.paired`)
* ``unpaired:PATH``: CycleGAN domains trainA/ + trainB/ (:mod:`~gan_backend.data.disk.unpaired`)
* ``labels:PATH``: semantic label maps with their pictures (:mod:`~gan_backend.data.disk.labels`)
* ``edges:PATH`` / ``gray:PATH``: line drawing -> picture and grey -> colour pairs computed from a folder (:mod:`~gan_backend.data.disk.derived`)
* ``picture:PATH``: one picture at its own aspect, for SinGAN (:mod:`~gan_backend.data.disk.picture`)

Picture folders share the plumbing one level up: listing (``scan``), decoding (``decode``), reading
tables of files in threads (``pipeline``) and the decode cache (``cache``).
"""
# Importing the modules registers their datasets.
from gan_backend.data.disk import cifar10, derived, folder, labels, mnist, npz, paired, picture, unpaired  # noqa: F401

__all__ = ["cifar10", "derived", "folder", "labels", "mnist", "npz", "paired", "picture", "unpaired"]
