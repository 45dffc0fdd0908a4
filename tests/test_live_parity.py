"""Live equals replay: the same footage gives the same set through the live processor, fed like
a 30 fps camera while another process keeps one of the two cores busy (so frames are dropped),
as through the offline analysis of the file.

No timing is asserted: how many frames the live processor manages depends on the machine. The
sets are compared: repetitions per side, holds completed, which faults were flagged on which
side, and the best range of motion per side within ROM_TOLERANCE_DEG (5 degrees).
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from posecheck.coaching.checker import Summary
from posecheck.coaching.live import LiveProcessor
from posecheck.coaching.pipeline import Pipeline
from posecheck.media.source import VideoSource
from posecheck.review.analysis import analyze_video
from posecheck.specs.schema import load_by_id

pytestmark = pytest.mark.mediapipe
SAMPLES = Path(__file__).resolve().parents[1] / "sample_videos"
CAMERA_FPS = 30
# Best ROM is a peak. It was read as the median of the *samples* in a 1 s window, so where a
# busy machine's live worker happened to keep frames decided it: on supine_knee_drop_good_male
# (an overshoot to 47 deg for 0.3 s, then 33) live read 4.6 and 6.2 deg above replay, and the
# tolerance had been raised to 7. The starting values were not the cause (they agreed within
# 0.8 deg). The peak is now a median over time (posecheck/coaching/peaks.py): the replay's
# landmarks fed at the live drop patterns of a worker taking 40-250 ms a frame now read within
# 0.7-3.2 deg of replay (were 1.6-4.8), so the tolerance is back at the 5 deg.
ROM_TOLERANCE_DEG = 5.0
# A fault that lasts half a second (too_fast) cannot be seen at all when the machine manages 5
# frames a second, so the clips here are good form (once flagged too_fast live) and faults held
# for seconds.
CLIPS = [
    ("supine_knee_drop_good_female", "supine_knee_drop"),
    # Session 8 read its left best ROM 30.8-35.1 live against 36.2 replayed with 351-357 of
    # 360 frames processed: MediaPipe shown each clip picture three times (the 30 fps camera)
    # read the 0.3 s overshoot 37.6-39.9 deg where once it reads 43 (the same pictures in the
    # same order, no frame dropped: 34.5 against 36.2). A repeated picture now goes to the pose
    # model once (posecheck/coaching/pipeline.py, Pipeline.repeat): 36.2 exactly. Pictures
    # dropped still move it, through MediaPipe alone: with half of them kept (every other one
    # or 55 % at random) MediaPipe on the kept pictures read 31.0-37.3, its full-rate
    # landmarks of the same pictures 34.8-36.8 through the checker. Even two pictures lost
    # where the knee starts to drop (pictures 19 and 21 of 120, 108 seen) read the overshoot
    # 36.5 where replay reads 43.2, and the hold up to 1.5 deg low until about 1.5 s later
    # (MediaPipe's own tracking and landmark filter in video mode; the pictures after the
    # gap were all seen once each): 33.7 against 36.2. So this clip still fails the line
    # whenever pictures are lost there (session 9, a shared machine: 1 of 1 runs at 106 of
    # 120 pictures seen, and all 5 runs at 51-89 of 360 frames processed). The checker gives
    # the same answer on the landmarks of the pictures it was given; MediaPipe's video-mode
    # tracking does not. Session 10 (benchmarks/parity.py, the knee drop's number now blends
    # in the swing plane): replay 29.7 left; two pictures lost 29.8, every 2nd kept 25.4, 55 %
    # at random 26.6. In IMAGE mode (no tracking) the kept pictures read within 1.2 of its
    # replay, but that replay reads 17.8 (the person detector's box, not the tracked one, on
    # a knee dropping away from the camera: truly 35) at 1.8x the time, so the video mode
    # stays. With live taking the replay's pictures while it keeps up (session 10), 5 of 5
    # runs on the shared machine passed all four clips (104-120 of 120 pictures seen), this
    # one 1.1-4.3 under the replay's left ROM: under the 5-degree line, but by 0.7, and the
    # runs were not alone on the machine (at 66 pictures seen, with the pacing applied while
    # behind too, it read 5.2 under). Non-strict
    # xfail until the pose stage itself is made insensitive to lost pictures (docs/app.md,
    # "Latency").
    pytest.param(
        "supine_knee_drop_good_male",
        "supine_knee_drop",
        marks=pytest.mark.xfail(
            strict=False, reason="MediaPipe reads this overshoot lower when pictures are lost"
        ),
    ),
    ("prone_ir_hips_lift_female", "prone_internal_rotation"),
    ("prone_ir_good_male", "prone_internal_rotation"),  # replay counted a dip as a second rep
]


def _spin(stop: multiprocessing.synchronize.Event) -> None:
    x = 0
    while not stop.is_set():
        x += 1


@pytest.fixture(scope="module")
def busy_core() -> Iterator[None]:
    """One core kept busy for the whole module, as by another program on a small laptop."""
    stop = multiprocessing.Event()
    proc = multiprocessing.Process(target=_spin, args=(stop,), daemon=True)
    proc.start()
    try:
        yield
    finally:
        stop.set()
        proc.join(timeout=5)


def live_summary(clip: Path, spec_id: str) -> tuple[Summary, int, int, int]:
    """Feed the clip at 30 fps by wall clock (each frame repeated, as the browser's camera
    does with a 10 fps clip; a new array each time, as a camera delivers them) with its
    capture times; the set's summary, frames submitted, frames processed, and pictures the
    pose model saw (the others processed were repeats)."""
    spec = load_by_id(spec_id)
    frames = list(VideoSource(clip).frames())
    repeat = max(1, round(CAMERA_FPS / VideoSource(clip).info.fps))
    proc = LiveProcessor(lambda: Pipeline(spec))
    try:
        proc.wait_for(proc.submit(frames[0].image), timeout_s=60)  # load the model first
        proc.reset()
        start = time.monotonic()
        k = 0
        for frame in frames:
            for _ in range(repeat):
                due = start + k / CAMERA_FPS
                now = time.monotonic()
                if due > now:
                    time.sleep(due - now)
                proc.submit(frame.image.copy(), capture_s=k / CAMERA_FPS)
                k += 1
        assert proc.wait_for(k, timeout_s=30) is not None, "the last frame was never processed"
        summary = proc.summary()
        stats = proc.stats()
    finally:
        proc.close()
    assert summary is not None
    return summary, stats.submitted, stats.processed, stats.estimated


def the_set(summary: Summary) -> dict[str, object]:
    return {
        "reps": dict(summary.reps),
        "holds completed": summary.holds_completed,
        "faults": sorted({(e.fault_id, e.side or "-") for e in summary.faults}),
    }


@pytest.mark.parametrize(
    ("clip", "spec_id"), CLIPS, ids=[getattr(c, "values", c)[0] for c in CLIPS]
)
def test_live_under_load_gives_the_replay_set(clip: str, spec_id: str, busy_core: None) -> None:
    path = SAMPLES / f"{clip}.mp4"
    live, submitted, processed, estimated = live_summary(path, spec_id)
    replay = analyze_video(path, load_by_id(spec_id)).summary
    where = (
        f"live processed {processed} of {submitted} frames, "
        f"{estimated} pictures seen by the pose model"
    )
    print(
        f"{clip}: {where}; live {the_set(live)} {live.best_rom_deg}; replay {replay.best_rom_deg}"
    )
    assert the_set(live) == the_set(replay), where
    for (side, rom_live), (_, rom_replay) in zip(
        live.best_rom_deg, replay.best_rom_deg, strict=True
    ):
        assert (rom_live is None) == (rom_replay is None), (side, where)
        if rom_live is not None and rom_replay is not None:
            assert abs(rom_live - rom_replay) <= ROM_TOLERANCE_DEG, (
                f"best ROM {side}: live {rom_live:.1f}, replay {rom_replay:.1f} ({where})"
            )
