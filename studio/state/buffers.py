"""Append-only numeric buffers for live curves: amortised O(1) appends by doubling the capacity."""
from __future__ import annotations

import math

import numpy as np


class GrowingArray:
    """A float64 array that grows by doubling (pyqtgraph ``examples/scrollingPlots.py``).

    ``view()`` returns the filled part without copying; callers must not keep it past the next append
    when they need a stable snapshot (use ``view().copy()``).
    """

    def __init__(self, capacity: int = 256):
        self._data = np.empty(max(1, capacity), np.float64)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def append(self, value: float) -> None:
        if self._n == len(self._data):
            self._grow(self._n + 1)
        self._data[self._n] = value
        self._n += 1

    def extend(self, values) -> None:
        values = np.asarray(values, np.float64)
        need = self._n + len(values)
        if need > len(self._data):
            self._grow(need)
        self._data[self._n:need] = values
        self._n = need

    def view(self) -> np.ndarray:
        return self._data[:self._n]

    def truncate(self, n: int) -> None:
        self._n = min(self._n, max(0, n))

    def _grow(self, need: int) -> None:
        capacity = len(self._data)
        while capacity < need:
            capacity *= 2
        bigger = np.empty(capacity, np.float64)
        bigger[:self._n] = self._data[:self._n]
        self._data = bigger


class Series:
    """One metric over steps, with an EMA-smoothed copy kept up to date incrementally.

    Smoothing follows TensorBoard: ``s = w * s + (1 - w) * x`` with bias correction, NaNs skipped
    (they keep the previous smoothed value), so the first points are not pulled towards zero.
    """

    def __init__(self, name: str):
        self.name = name
        self.steps = GrowingArray()
        self.values = GrowingArray()
        self._smoothed = GrowingArray()
        self._weight = 0.0
        self._state = (0.0, 0.0)  # (biased running average, sum of weights) after the last smoothed point

    def __len__(self) -> int:
        return len(self.steps)

    def extend(self, steps, values) -> None:
        self.steps.extend(steps)
        self.values.extend(values)

    def truncate_after(self, step: float) -> None:
        """Drop points past ``step`` (a resumed run rewinds to its checkpoint)."""
        keep = int(np.searchsorted(self.steps.view(), step, side="right"))
        for buf in (self.steps, self.values):
            buf.truncate(keep)
        self._weight, self._smoothed = 0.0, GrowingArray()

    def smoothed(self, weight: float) -> np.ndarray:
        """The values smoothed with EMA weight 0..1 (0 = raw); only new points are computed."""
        if weight <= 0.0:
            return self.values.view()
        if weight != self._weight:
            self._weight, self._smoothed, self._state = weight, GrowingArray(len(self.values)), (0.0, 0.0)
        done, values = len(self._smoothed), self.values.view()
        if done < len(values):
            out, self._state = _ema(values[done:], weight, self._state)
            self._smoothed.extend(out)
        return self._smoothed.view()


def _ema(values: np.ndarray, weight: float, state: tuple[float, float]) -> tuple[np.ndarray, tuple[float, float]]:
    """Bias-corrected EMA of ``values`` continuing from ``state``; NaNs repeat the previous output.

    Vectorised in blocks: within a block, ``avg_t = w^(t+1) * (avg + (1-w) * cumsum(w^-(i+1) * x_i))``, with
    blocks short enough that ``w^-block`` stays far from overflow. 100k points take milliseconds.
    """
    avg, norm = state
    out = np.empty(len(values))
    finite = np.isfinite(values)
    x = values[finite]
    smoothed = np.empty(len(x))
    block = max(1, int(600.0 / -math.log(weight)))  # w^-block <= e^600 < float64 max
    for start in range(0, len(x), block):
        chunk = x[start:start + block]
        k = np.arange(1, len(chunk) + 1, dtype=np.float64)
        decay, grow = weight ** k, weight ** -k
        avgs = decay * (avg + (1.0 - weight) * np.cumsum(grow * chunk))
        norms = decay * (norm + (1.0 - weight) * np.cumsum(grow))
        smoothed[start:start + len(chunk)] = avgs / norms
        avg, norm = float(avgs[-1]), float(norms[-1])
    # Spread back over the NaN positions: each takes the last finite result before it.
    last = np.cumsum(finite) - 1  # index into `smoothed` of the latest finite value so far, -1 before any
    previous = state[0] / state[1] if state[1] else math.nan
    out[:] = np.where(last >= 0, smoothed[np.maximum(last, 0)] if len(smoothed) else math.nan, previous)
    return out, (avg, norm)
