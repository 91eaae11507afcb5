"""Datasets: built-in procedural ones and readers for files on disk, all as :class:`ArrayDataset`.

* :mod:`~gan_backend.data.builtin`: generated from a seed (toy2d, shapes, glyphs, scenes, day2night)
* :mod:`~gan_backend.data.disk`: read from files (mnist, cifar10, folder, npz, paired, unpaired, labels)
* plumbing: ``base`` (ArrayDataset, the DATASETS registry), ``loading`` (open_dataset, load_data),
  ``scan`` / ``decode`` / ``pipeline`` / ``cache`` (reading picture folders), ``transforms``, ``noise``,
  ``export``, ``recipes`` (a first training recipe for a folder of pictures)
"""
from gan_backend.data.base import DATASETS, ArrayDataset, DatasetError, DatasetReport, SkippedFile, resolve
from gan_backend.data import builtin, disk  # noqa: F401  (importing them registers every dataset)
from gan_backend.data.loading import config_options, load_data, open_dataset

__all__ = ["DATASETS", "ArrayDataset", "DatasetError", "DatasetReport", "SkippedFile", "config_options", "load_data",
           "open_dataset", "resolve"]
