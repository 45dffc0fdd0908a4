"""Offline pacing: each spec's analysis rate, which frames are analysed, decoding ahead."""

from __future__ import annotations

import itertools
import math
import threading

import numpy as np
import pytest

from posecheck.coaching.pacing import (
    MIN_ANALYSIS_HZ,
    FrameSampler,
    analysis_rate_hz,
    read_ahead,
)
from posecheck.media.source import Frame
from posecheck.pose.landmarks import PoseFrame
from posecheck.review.analysis import analyze_video
from posecheck.specs.schema import load_all, load_by_id


def kept(rate_hz: float, times_ms: list[float], fps: float | None) -> list[float]:
    sample = FrameSampler(rate_hz, fps)
    return [t for t in times_ms if sample(t)]


@pytest.mark.parametrize(
    ("fps", "rate_hz", "every"), [(25.0, 10.0, 2), (15.0, 10.0, 1), (20.0, 4 / 0.3, 1)]
)
@pytest.mark.parametrize("whole_ms", [False, True])
def test_a_frame_on_the_line_is_taken_steadily(
    fps: float, rate_hz: float, every: int, whole_ms: bool
) -> None:
    """A frame due exactly on the line (25 fps at 10 a second: every 2nd frame, 80 ms apart,
    is half a frame early) was taken or not as floating point fell, and times in whole
    milliseconds (66 and 67 ms apart at 15 fps) moved it; now steadily, by its times or by
    each frame's own interval (a live camera)."""
    times = [k * 1000.0 / fps for k in range(60)]
    if whole_ms:
        times = [float(round(t)) for t in times]
    assert kept(rate_hz, times, fps) == times[::every]
    live = FrameSampler(rate_hz, None)
    taken = [times[0]] if live(times[0]) else []
    taken += [t for before, t in itertools.pairwise(times) if live(t, t - before)]
    assert taken == times[::every]


def test_a_speed_window_sets_the_rate_and_10_hz_is_the_floor():
    rates = {spec_id: analysis_rate_hz(spec) for spec_id, spec in load_all().items()}
    # Speed faults difference over a 0.3 s window: 4 samples in it -> 13.3 Hz.
    for spec_id in ("clamshell", "standing_band_rotation"):
        assert rates[spec_id] == pytest.approx(4 / 0.3), spec_id
    # The knee drop's too_fast times each movement between crossings interpolated on frame
    # timestamps (``drop_time``, session 13; it was a 0.3 s speed window): no window, so the
    # floor of 10 a second, at which its dev clips were tuned.
    assert rates["supine_knee_drop"] == MIN_ANALYSIS_HZ
    assert rates["pigeon"] == MIN_ANALYSIS_HZ == 10.0
    assert min(rates.values()) == 10.0


def test_a_timed_movement_has_no_window_and_sets_no_rate():
    """``move_time`` interpolates its crossings on frame timestamps: it carried a speed's
    ``window_s`` that nothing read until session 9 (a spec setting it now fails at load)."""
    band = load_by_id("standing_band_rotation")
    timed = {n: m for n, m in band.measures.items() if m.metric == "move_time"}
    assert timed and not any(hasattr(m, "window_s") for m in timed.values())
    speeds = [n for n, m in band.measures.items() if m.metric == "speed"]
    only_timed = band.model_copy(
        update={"measures": {n: m for n, m in band.measures.items() if n not in speeds}}
    )
    assert analysis_rate_hz(only_timed) == MIN_ANALYSIS_HZ
    metric = next(iter(timed.values()))
    with pytest.raises(ValueError, match="window_s"):
        type(metric).model_validate({**metric.model_dump(), "window_s": 0.3})


@pytest.mark.parametrize(
    ("fps", "rate_hz", "every"),
    [(30, 10, 3), (30, 4 / 0.3, 2), (25, 10, 2), (60, 10, 6), (10, 10, 1), (10, 4 / 0.3, 1)],
)
def test_constant_frame_rate_keeps_every_nth_frame(fps: float, rate_hz: float, every: int):
    times = [i * 1000.0 / fps for i in range(120)]
    assert kept(rate_hz, times, fps) == times[::every]


def test_variable_frame_rate_never_leaves_a_gap_longer_than_a_period_and_a_frame():
    rng = np.random.default_rng(7)
    times = list(np.cumsum(rng.uniform(20.0, 50.0, 600)))  # a phone's 20-50 fps
    out = kept(10.0, times, 30.0)
    gaps = np.diff(out)
    assert gaps.max() <= 100.0 + 50.0
    assert gaps.min() >= 100.0 - 1000.0 / 30 / 2 - FrameSampler.SLACK_MS - 1e-9
    assert len(out) >= (times[-1] - times[0]) / 150.0


def test_infinite_rate_keeps_every_frame():
    times = [i * 33.3 for i in range(30)]
    assert kept(math.inf, times, 30.0) == times


def test_read_ahead_keeps_order_and_raises_the_producers_error():
    assert list(read_ahead(range(100), depth=3)) == list(range(100))

    def broken():
        yield 1
        raise ValueError("bad frame")

    out = []
    with pytest.raises(ValueError, match="bad frame"):
        for item in read_ahead(broken()):
            out.append(item)
    assert out == [1]


def test_read_ahead_stops_its_thread_when_the_reader_stops():
    closed = threading.Event()

    def endless():
        try:
            i = 0
            while True:
                yield i
                i += 1
        finally:
            closed.set()

    reader = read_ahead(endless(), depth=2)
    assert [next(reader) for _ in range(5)] == [0, 1, 2, 3, 4]
    reader.close()
    assert closed.wait(5)
    assert not any(t.name == "posecheck-decode" for t in threading.enumerate())


class CountingEstimator:
    """No person in any frame; counts the frames it is asked about."""

    def __init__(self) -> None:
        self.seen: list[int] = []

    def estimate(self, frame: Frame) -> PoseFrame:
        self.seen.append(frame.index)
        h, w = frame.image.shape[:2]
        return PoseFrame(frame.index, frame.t_ms, w, h, None)

    def close(self) -> None:
        pass


# The knee drop at 10 a second since session 13 (every 3rd frame; it was every 2nd, for the
# speed window it no longer has); the clamshell keeps a speed window (every 2nd).
@pytest.mark.parametrize(
    ("spec_id", "every"), [("pigeon", 3), ("supine_knee_drop", 3), ("clamshell", 2)]
)
def test_a_30_fps_clip_is_analysed_at_the_specs_rate_with_a_record_per_frame(
    media, spec_id: str, every: int
):
    est = CountingEstimator()
    analysis = analyze_video(media / "bridging.mp4", load_by_id(spec_id), estimator=est)
    assert est.seen == list(range(0, 91, every))
    assert [r.index for r in analysis.records] == list(range(91))
    assert analysis.records[1].t_ms == pytest.approx(1000 / 30)
    assert analysis.records[1].state == analysis.records[0].state
    every_frame = CountingEstimator()
    analyze_video(
        media / "bridging.mp4", load_by_id(spec_id), estimator=every_frame, rate_hz=math.inf
    )
    assert every_frame.seen == list(range(91))


@pytest.mark.mediapipe
@pytest.mark.parametrize("spec_id", ["supine_knee_drop", "pigeon"])
def test_analysing_fewer_frames_gives_the_same_report_on_real_footage(media, spec_id: str):
    from posecheck.review.report import report_dict

    spec = load_by_id(spec_id)
    clip = media / "bridging.mp4"
    paced = report_dict(analyze_video(clip, spec))
    full = report_dict(analyze_video(clip, spec, rate_hz=math.inf))
    for key in ("duration_s", "reps", "holds_completed", "no_person_s"):
        assert paced[key] == full[key], key
    assert [(f["fault"], f["side"]) for f in paced["faults"]] == [
        (f["fault"], f["side"]) for f in full["faults"]
    ]
    for a, b in zip(paced["faults"], full["faults"], strict=True):
        assert a["start_s"] == pytest.approx(b["start_s"], abs=0.15)
