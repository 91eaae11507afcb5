"""Built-in procedural datasets: generated from a seed in memory, no files and no downloads.

Importing this package registers them all in ``DATASETS``, one module per kind:

* ``toy2d:ring8``, ``toy2d:grid25``, ``toy2d:spiral``: 2-D points (:mod:`~gan_backend.data.builtin.toy2d`)
* ``shapes``: 32x32 RGB circles, squares, triangles, stars (:mod:`~gan_backend.data.builtin.shapes`)
* ``glyphs``: 28x28 grey MNIST-like digits (:mod:`~gan_backend.data.builtin.glyphs`)
* ``scenes``: 128x128 landscapes, label map + picture (:mod:`~gan_backend.data.builtin.scenes`, drawn by
  the ``scene_layout``, ``scene_objects``, ``scene_render`` and ``scene_night`` helpers)
* ``scenes:day2night``, ``scenes:day2night_paired``: the same scenes by day and by night
  (:mod:`~gan_backend.data.builtin.day2night`)

The engine regenerates a built-in dataset at every run start, so each builder is vectorised to
take well under three seconds at its default size on one CPU core.
"""
# Importing the modules registers their datasets.
from gan_backend.data.builtin import day2night, glyphs, scenes, shapes, toy2d  # noqa: F401

__all__ = ["day2night", "glyphs", "scenes", "shapes", "toy2d"]
