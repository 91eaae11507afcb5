"""Sample-quality metrics on feature vectors: FID, KID, precision/recall, and a small feature classifier.

The distances take plain ``float64 [N, D]`` NumPy features; where they come from is the caller's
choice (``classifier.features`` for digits, any other embedding elsewhere). Nothing here needs Qt.
``features`` holds the shipped classifiers and the Inception-v3 loader; ``evaluate`` scores a run or a
training task with all of them (`gan-studio eval`, ``run.eval_every``).
"""
from gan_backend.metrics.frechet import feature_stats, fid, frechet_distance
from gan_backend.metrics.kernel import kid
from gan_backend.metrics.manifold import precision_recall

__all__ = ["feature_stats", "fid", "frechet_distance", "kid", "precision_recall"]
