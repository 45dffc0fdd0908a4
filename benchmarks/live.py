"""Live processor speed: frames processed per second and the delay from a frame's arrival to its
annotated image, with a simulated 30 fps camera at 640x480, beside raw MediaPipe inference
speed measured in the same run. Prints figures and ratios; asserts nothing.

    .venv/bin/python benchmarks/live.py [--clip PATH] [--seconds 15] [--fps 30]

The clip (default: ../shared/media/bridging.mp4, read in place) is scaled to 640x480 and
looped; frames are submitted at the camera rate by wall clock, as a webcam would deliver them.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import cv2
import numpy as np

from posecheck.coaching.live import LiveFrame, LiveProcessor, SetStats, set_busy_text
from posecheck.coaching.pipeline import Pipeline
from posecheck.media.source import Frame, VideoSource
from posecheck.overlay import annotate_step
from posecheck.pose.estimator import MediaPipePoseEstimator
from posecheck.specs.schema import load_by_id

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CLIP = REPO.parent / "shared" / "media" / "bridging.mp4"


def load_frames(clip: Path, width: int = 640, height: int = 480) -> list[np.ndarray]:
    frames = []
    for f in VideoSource(clip).frames():
        img = f.image
        if img.shape[:2] != (height, width):
            img = cv2.resize(img, (width, height), interpolation=cv2.INTER_AREA)
        frames.append(img)
    return frames


def raw_inference(frames: list[np.ndarray], n: int) -> tuple[float, float]:
    """(frames per second, ms per frame) of MediaPipe alone, back to back, video mode."""
    est = MediaPipePoseEstimator()
    try:
        for i in range(5):  # warm up
            est.estimate(Frame(i, i * 33.3, frames[i % len(frames)]))
        times = []
        for i in range(n):
            t0 = time.perf_counter()
            est.estimate(Frame(5 + i, (5 + i) * 33.3, frames[i % len(frames)]))
            times.append(time.perf_counter() - t0)
    finally:
        est.close()
    ms = float(np.mean(times) * 1000)
    return 1000.0 / ms, ms


def live_run(
    frames: list[np.ndarray], seconds: float, camera_fps: float
) -> tuple[list[LiveFrame], int, int, SetStats | None]:
    """Feed frames at ``camera_fps`` by wall clock; returns every distinct output frame seen,
    frames submitted, frames dropped and the set's figures (the busy-computer note's)."""
    spec = load_by_id("prone_internal_rotation")
    proc = LiveProcessor(lambda: Pipeline(spec), draw=annotate_step)  # as the app draws
    # Warm up: build the model before timing starts (the app does this on the first frame).
    proc.wait_for(proc.submit(frames[0]), timeout_s=60)
    proc.reset()
    outputs: dict[int, LiveFrame] = {}
    period = 1.0 / camera_fps
    start = time.monotonic()
    k = 0
    try:
        while True:
            due = start + k * period
            now = time.monotonic()
            if now - start >= seconds:
                break
            if due > now:
                time.sleep(due - now)
            proc.submit(frames[k % len(frames)])
            out = proc.latest()  # what the video callback would send back now
            if out is not None:
                outputs[out.seq] = out
            k += 1
        time.sleep(0.5)
        out = proc.latest()
        if out is not None:
            outputs[out.seq] = out
        stats = proc.stats()
        set_stats = proc.set_stats()
    finally:
        proc.close()
    return [outputs[s] for s in sorted(outputs)], stats.submitted, stats.dropped, set_stats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clip", type=Path, default=DEFAULT_CLIP)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--fps", type=float, default=30.0, help="simulated camera rate")
    ap.add_argument("--raw-frames", type=int, default=150)
    args = ap.parse_args()

    frames = load_frames(args.clip)
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"clip: {args.clip} ({len(frames)} frames, 640x480)")
    print(f"machine: {os.cpu_count()} CPU cores, load average {load} (other work skews figures)")
    # Raw inference before and after the live run, so a change in machine load shows up.
    before = raw_inference(frames, args.raw_frames)
    outs, submitted, dropped, set_stats = live_run(frames, args.seconds, args.fps)
    after = raw_inference(frames, args.raw_frames)
    raw_ms = (before[1] + after[1]) / 2
    raw_fps = 1000.0 / raw_ms
    print(
        f"raw MediaPipe inference:   {raw_fps:6.1f} fps   ({raw_ms:5.1f} ms per frame; "
        f"{before[1]:.1f} ms before the live run, {after[1]:.1f} ms after)"
    )
    done = np.array([o.done_s for o in outs])
    lat = np.array([o.latency_ms for o in outs])
    live_fps = (len(outs) - 1) / (done[-1] - done[0]) if len(outs) > 1 else float("nan")
    print(
        f"live processor:            {live_fps:6.1f} fps processed of {args.fps:.0f} fps offered "
        f"({submitted} frames, {dropped} stale ones skipped = {dropped / submitted:.0%})"
    )
    print(
        f"arrival -> annotated frame: mean {lat.mean():5.1f} ms, median {np.median(lat):5.1f} ms,"
        f" p95 {np.percentile(lat, 95):5.1f} ms, max {lat.max():5.1f} ms"
    )
    print(f"ratio live fps / raw inference fps:      {live_fps / raw_fps:4.2f}")
    print(f"ratio mean delay / raw inference time:   {lat.mean() / raw_ms:4.2f}")
    busy = sum(o.busy_note is not None for o in outs)
    said = set_busy_text(set_stats) if set_stats is not None else None
    print(
        f"busy-computer note:       on {busy} of {len(outs)} frames sent back; set summary: "
        f"{said or 'nothing (the pose model saw at least 3/4 of the pictures a replay takes)'}"
    )
    first, last = lat[: len(lat) // 4].mean(), lat[-len(lat) // 4 :].mean()
    print(
        f"delay first quarter vs last quarter:     {first:5.1f} ms vs {last:5.1f} ms "
        "(equal means no backlog builds up)"
    )


if __name__ == "__main__":
    main()
