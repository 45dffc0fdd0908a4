"""The steady peak of a measure over time, the same however densely it was sampled.

A hold's best range of motion is the highest median over any window of ``window_s`` (one noisy
frame is not a record). A median over the *samples* in a window depends on how many frames
fell where: the live processor drops frames when the machine is busy, and the frames it keeps
bunch up wherever processing happened to be quick. On the good-form knee drop
(supine_knee_drop_good_male) the overshoot into the stretch (47 deg for 0.3 s, then 33 deg)
read 38.3 deg in replay and up to 43.1 deg live, where three kept frames fell on the
overshoot.

Here each sample stands for the time nearer to it than to its neighbours (at most
``max_hold_s`` in all: a stall says nothing), and the median is taken over time: the signal's
median over every window position that is at least half covered (the highest is found where a
window edge meets a sample edge, so those are the positions tried). Evenly sampled, it is the
median of the samples.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MAX_HOLD_S = 0.25  # live on a busy machine: 4 frames a second and more


def _window_median(
    ts: np.ndarray, ends: np.ndarray, vs: np.ndarray, a: float, b: float, min_cover: float = 0.0
) -> float | None:
    """Time-weighted median over [a, b] of the steps (value ``vs[i]`` from ``ts[i]``, where
    each step starts, to ``ends[i]``); the middle of the two middle values when the weight
    splits evenly. None when the steps cover less than ``min_cover`` of the window."""
    w = np.minimum(ends, b) - np.maximum(ts, a)
    keep = w > 0
    if not keep.any() or w[keep].sum() < min_cover * (b - a) - 1e-6:
        return None
    v, w = vs[keep], w[keep]
    order = np.argsort(v, kind="stable")
    v, cum = v[order], np.cumsum(w[order])
    half, eps = cum[-1] / 2, 1e-9 * cum[-1]
    k = int(np.searchsorted(cum, half - eps))
    if k + 1 < len(v) and abs(cum[k] - half) <= eps:
        return float((v[k] + v[k + 1]) / 2)
    return float(v[k])


def steady_peak(
    samples: Sequence[tuple[float, float]], window_s: float, max_hold_s: float = MAX_HOLD_S
) -> float | None:
    """The highest time-weighted median of ``(t_ms, value)`` samples (in time order) over any
    ``window_s`` (over the whole span when it is shorter, or when no window is half covered);
    None with fewer than two samples."""
    if len(samples) < 2:
        return None
    ts = np.array([t for t, _ in samples], dtype=float)
    vs = np.array([v for _, v in samples], dtype=float)
    # Each sample stands for the time nearer to it than to its neighbours, at most
    # ``max_hold_s / 2`` either side; the ends reach as far as the typical spacing.
    half = np.diff(ts) / 2
    typical = float(np.median(half))
    reach = max_hold_s * 1000.0 / 2
    starts = ts - np.minimum(np.concatenate([[typical], half]), reach)
    ends = ts + np.minimum(np.concatenate([half, [typical]]), reach)
    start, stop, width = starts[0], ends[-1], window_s * 1000.0
    if stop - start <= width:
        return _window_median(starts, ends, vs, start, stop)
    edges = np.unique(np.concatenate([starts, ends]))
    best: float | None = None
    for b in np.unique(np.concatenate([edges, edges + width])):
        if b - width < start - 1e-6 or b > stop + 1e-6:
            continue
        # only the steps that reach into the window
        lo = max(0, int(np.searchsorted(ends, b - width, side="right")) - 1)
        hi = int(np.searchsorted(starts, b, side="left"))
        m = _window_median(starts[lo:hi], ends[lo:hi], vs[lo:hi], b - width, b, min_cover=0.5)
        if m is not None and (best is None or m > best):
            best = m
    return best if best is not None else _window_median(starts, ends, vs, start, stop)
