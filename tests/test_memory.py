"""A long video keeps memory flat: decoding, the pipeline after the estimator and the annotated
video writer hold no frame longer than needed (issue #10; about 310 MB for 2 to 20 minutes with
the real model). The pose model is replaced by a fixed synthetic pose so the test is cheap."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from posecheck.body.synthetic import Body, Camera, render
from posecheck.media.source import Frame
from posecheck.overlay import annotate_step
from posecheck.pose.landmarks import PoseFrame
from posecheck.review.analysis import analyze_video
from posecheck.specs.schema import load_by_id

FPS = 10
MINUTES = 1.5
W, H = 240, 180


class FixedPose:
    """Stands in for MediaPipe: the same standing body on every frame."""

    def __init__(self) -> None:
        self.pose = render(Body(posture="standing"), Camera(position=(0, 1, 3), target=(0, 0.9, 0)))

    def estimate(self, frame: Frame) -> PoseFrame:
        h, w = frame.image.shape[:2]
        return PoseFrame(frame.index, frame.t_ms, w, h, self.pose)

    def close(self) -> None:
        pass


def long_clip(path: Path, n: int) -> Path:
    """``n`` frames of a moving gradient (cheap to encode, never two alike)."""
    x = np.arange(W, dtype=np.uint8)[None, :, None]
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = W, H, "yuv420p"
        stream.options = {"preset": "ultrafast"}
        for i in range(n):
            image = np.broadcast_to(x + np.uint8(i % 256), (H, W, 3))
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="bgr24")
            frame.pts, frame.time_base = i, Fraction(1, FPS)
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return path


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * 4096 / 1e6


def test_memory_stays_flat_over_a_long_video(tmp_path):
    n = int(MINUTES * 60 * FPS)
    clip = long_clip(tmp_path / "long.mp4", n)
    samples: dict[int, float] = {}

    def progress(done: int, total: int) -> None:
        if done in (n // 5, n):
            samples[done] = rss_mb()

    analysis = analyze_video(
        clip,
        load_by_id("supine_knee_drop"),
        annotate_to=tmp_path / "annotated.mp4",
        draw=annotate_step,
        progress=progress,
        estimator=FixedPose(),
    )
    assert len(analysis.records) == n
    growth = samples[n] - samples[n // 5]
    # The per-frame table grows by design (a few hundred bytes a frame); frames must not.
    # One frame is 0.13 MB: keeping every frame would add about 90 MB.
    print(f"memory: {samples[n // 5]:.0f} MB at frame {n // 5}, {samples[n]:.0f} MB at {n}")
    assert growth < 25, f"memory grew {growth:.0f} MB over {n - n // 5} frames"
