"""Built-in procedural datasets: generated from a seed in memory, no files and no downloads.

Importing this module registers them all in ``DATASETS``:

* ``toy2d:ring8``, ``toy2d:grid25``, ``toy2d:spiral``: 2-D points (:mod:`gan_backend.data.toy2d`)
* ``shapes``: 32x32 RGB circles, squares, triangles, stars (:mod:`gan_backend.data.shapes`)
* ``glyphs``: 28x28 grey MNIST-like digits (:mod:`gan_backend.data.glyphs`)

The engine regenerates a built-in dataset at every run start, so each builder is vectorised to
take well under three seconds at its default size on one CPU core.
"""
from gan_backend.data import glyphs, shapes, toy2d  # noqa: F401  (imports register the datasets)

__all__ = ["glyphs", "shapes", "toy2d"]
