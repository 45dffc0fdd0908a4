"""The steady peak (best range of motion of a hold) does not depend on how densely it was
sampled: live, with frames dropped, it reads what replay reads."""

from __future__ import annotations

import numpy as np
import pytest

from posecheck.coaching.peaks import steady_peak


def overshoot(t_ms: float) -> float:
    """A knee drop that overshoots: 15 deg, up to 47 for 0.3 s, settling at 33 (the shape of
    supine_knee_drop_good_male's left side)."""
    if t_ms < 500:
        return 15.0 + 60.0 * t_ms / 1000.0
    if t_ms < 800:
        return 47.0
    return 33.0 + 14.0 * np.exp(-(t_ms - 800) / 300.0)


def sampled(times: list[float]) -> list[tuple[float, float]]:
    return [(t, overshoot(t)) for t in times]


def test_evenly_sampled_it_is_the_median_of_the_samples() -> None:
    values = [10.0, 30.0, 20.0, 40.0, 25.0]
    samples = [(i * 100.0, v) for i, v in enumerate(values)]
    assert steady_peak(samples, 1.0) == pytest.approx(float(np.median(values)))
    assert steady_peak(samples[:2], 1.0) == pytest.approx(20.0)
    assert steady_peak(samples[:1], 1.0) is None


def test_one_noisy_frame_is_not_a_record() -> None:
    samples = [(i * 100.0, 30.0) for i in range(30)]
    samples[12] = (1200.0, 80.0)
    assert steady_peak(samples, 1.0) == pytest.approx(30.0)


def count_median_peak(samples: list[tuple[float, float]], window_s: float) -> float:
    """The old reading: the highest median of the *samples* in any window."""
    best = -np.inf
    lo = 0
    for hi, (t, _) in enumerate(samples):
        while t - samples[lo][0] > window_s * 1000.0:
            lo += 1
        if hi - lo >= 1:
            best = max(best, float(np.median([v for _, v in samples[lo : hi + 1]])))
    return best


def test_frames_bunched_on_the_overshoot_do_not_raise_the_peak() -> None:
    """Replay at 10 a second; live kept 5 frames a second, but four of them within 0.2 s on
    the overshoot (as a busy machine's worker keeps them). Counting samples, live read 6 deg
    higher than replay; over time 1.4 deg (what the sparser frames cannot tell apart)."""
    replay = sampled([i * 100.0 for i in range(41)])
    bunched = [0, 200, 400, 500, 560, 630, 700, 900, 1100, 1300, 1500, 1700, 1900, 2100, 2300]
    live = sampled([float(t) for t in bunched] + [2500.0 + i * 200.0 for i in range(8)])
    assert count_median_peak(live, 1.0) - count_median_peak(replay, 1.0) > 5.0
    assert steady_peak(live, 1.0) == pytest.approx(steady_peak(replay, 1.0), abs=1.5)


def test_a_stall_counts_for_at_most_half_a_second() -> None:
    """A sample followed by a long gap (the stream stalled) does not fill the window."""
    samples = [(0.0, 20.0), (100.0, 20.0), (200.0, 60.0), (3000.0, 20.0), (3100.0, 20.0)]
    assert steady_peak(samples, 1.0) < 60.0
