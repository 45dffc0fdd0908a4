"""Speed of offline analysis against decoding and raw pose inference, all measured in one run.

    .venv/bin/python benchmarks/speed.py [CLIP] [--repeat N] [--models lite,full,heavy]

Default clip: ../shared/media/bridging.mp4 (640x480, 30 fps). Prints frames per second and
the real-time factor (x the clip's own frame rate) of:
- decoding alone;
- decoding + raw inference on every frame, for each pose model (lite, full, heavy);
- the whole analysis (inference, smoothing, checker, cues) on every frame, and at the spec's
  own analysis rate (posecheck.coaching.pacing), for a stretch with speed faults (supine knee drop,
  13.3 Hz) and one without (pigeon, 10 Hz), decoding in its own thread;
- the same with the annotated H.264 MP4;
then the ratios against raw full-model inference, and the cost of looking for a second person
(full model, ``num_poses=2`` against ``num_poses=1``, timed in the same run, on the clip and on
a two-person clip made from it: the clip beside a mirrored copy). ``--people`` times only that.
Last, the cost of the estimator's closer second look when it finds nobody, on the clip and on
an empty room made to its size (``--zoom`` times only that).
Targets (issue #9): offline analysis at
least 2x real time for a 30 fps 640x480 clip on 2 cores; everything but inference adds at
most 10 % when every frame is analysed.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posecheck.coaching.pacing import FrameSampler, analysis_rate_hz  # noqa: E402
from posecheck.media.source import VideoSource  # noqa: E402
from posecheck.overlay import annotate_step  # noqa: E402
from posecheck.pose.estimator import (  # noqa: E402
    MODEL_NAMES,
    PEOPLE_PROBE_S,
    ZOOM,
    TasksPoseEstimator,
)
from posecheck.review.analysis import analyze_video  # noqa: E402
from posecheck.specs.schema import load_by_id  # noqa: E402

DEFAULT_CLIP = ROOT.parent / "shared" / "media" / "bridging.mp4"


def decode_only(clip: Path) -> int:
    return sum(1 for _ in VideoSource(clip).frames())


def raw_inference(clip: Path, model: str, num_poses: int = 1, probe_s: float | None = None) -> int:
    n = 0
    with TasksPoseEstimator(model=model, num_poses=num_poses, people_probe_s=probe_s) as estimator:
        for frame in VideoSource(clip).frames():
            estimator.estimate(frame)
            n += 1
    return n


def two_people_clip(clip: Path, out: Path) -> Path:
    """``clip`` beside a mirrored copy of itself: two people in view, same picture height."""
    with av.open(str(out), "w") as container:
        stream = None
        for frame in VideoSource(clip).frames():
            image = np.hstack([frame.image, frame.image[:, ::-1]])
            if stream is None:
                stream = container.add_stream("libx264", rate=round(VideoSource(clip).info.fps))
                stream.height, stream.width = image.shape[:2]
                stream.pix_fmt = "yuv420p"
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")))
        container.mux(stream.encode())
    return out


def steady_inference(
    path: Path, num_poses: int, probe_s: float | None, rate_hz: float, zoom: float | None = ZOOM
) -> float:
    """Seconds of pose inference over ``path`` at ``rate_hz`` (as the analysis samples it),
    with the estimator made and warmed on the first frame before the clock starts (a second
    model instance, made on first use, is a one-off cost, not a per-frame one)."""
    frames = VideoSource(path).frames()
    sample = FrameSampler(rate_hz, VideoSource(path).info.fps)
    made = TasksPoseEstimator(model="full", num_poses=num_poses, people_probe_s=probe_s, zoom=zoom)
    with made as est:
        first = next(frames)
        sample(first.t_ms)
        est.estimate(first)
        spent = 0.0
        for frame in frames:
            if sample(frame.t_ms):
                start = time.perf_counter()
                est.estimate(frame)
                spent += time.perf_counter() - start
    return spent


def people_cost(clip: Path, repeat: int) -> None:
    """Steady full-model inference at the analysis rate (10 Hz) and on every frame: looking
    for two people on every frame, and looking for one with the people probe (the default),
    each against looking for one person only. The cases are timed in turn, ``repeat`` rounds,
    best of each: a shared machine's load changes between rounds, not within one."""
    with tempfile.TemporaryDirectory() as tmp:
        pair = two_people_clip(clip, Path(tmp) / "two_people.mp4")
        for name, path in (("one person", clip), ("two people", pair)):
            for rate_hz in (10.0, math.inf):
                cases = {
                    "one": (1, None),
                    "two": (2, None),
                    "probe": (1, PEOPLE_PROBE_S),
                }
                best = dict.fromkeys(cases, math.inf)
                for _ in range(repeat):
                    for k, (n, probe_s) in cases.items():
                        best[k] = min(best[k], steady_inference(path, n, probe_s, rate_hz))
                every = "every frame" if math.isinf(rate_hz) else f"{rate_hz:g} Hz"
                print(
                    f"{name} ({path.name}), full model at {every}, inference time against "
                    f"looking for one person: looking for two {best['two'] / best['one']:.2f}, "
                    f"the default (a probe every {PEOPLE_PROBE_S:g} s) "
                    f"{best['probe'] / best['one']:.2f}"
                )


def empty_room_clip(clip: Path, out: Path) -> Path:
    """A clip of ``clip``'s length and size showing nobody: a plain wall with a little
    sensor noise (the detector has nothing to find, so the closer looks all run)."""
    info = VideoSource(clip).info
    rng = np.random.default_rng(0)
    with av.open(str(out), "w") as container:
        stream = container.add_stream("libx264", rate=round(info.fps))
        stream.height, stream.width, stream.pix_fmt = info.height, info.width, "yuv420p"
        for _ in range(info.frame_count):
            wall = np.full((info.height, info.width, 3), 150, np.int16)
            image = np.clip(wall + rng.integers(-6, 7, wall.shape), 0, 255).astype(np.uint8)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")))
        container.mux(stream.encode())
    return out


def zoom_cost(clip: Path, repeat: int) -> None:
    """The estimator's closer second look when it finds nobody (docs/models.md), against no
    second look, full model at 10 Hz, timed in turn in the same run: on the clip (someone in
    view: the look never runs) and on an empty room (it runs on every frame)."""
    with tempfile.TemporaryDirectory() as tmp:
        empty = empty_room_clip(clip, Path(tmp) / "empty_room.mp4")
        best: dict[tuple[str, str], float] = {}
        for _ in range(repeat):
            for name, path in (("someone", clip), ("nobody", empty)):
                for look, zoom in (("look", ZOOM), ("none", None)):
                    took = steady_inference(path, 1, None, 10.0, zoom)
                    best[name, look] = min(best.get((name, look), math.inf), took)
        person = best["someone", "none"]
        for name in ("someone", "nobody"):
            print(
                f"{name} in view, full model at 10 Hz, inference time against someone in view "
                f"without the closer look: with it {best[name, 'look'] / person:.2f}, "
                f"without it {best[name, 'none'] / person:.2f}"
            )


def best_of(repeat: int, fn: Callable[[], int]) -> tuple[float, int]:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        n = fn()
        runs.append((time.perf_counter() - start, n))
    return min(runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clip", nargs="?", default=str(DEFAULT_CLIP))
    ap.add_argument("--repeat", type=int, default=3, help="runs of each; the best is kept")
    ap.add_argument("--models", default=",".join(MODEL_NAMES), help="pose models to time")
    ap.add_argument("--people", action="store_true", help="only the cost of num_poses=2")
    ap.add_argument(
        "--zoom", action="store_true", help="only the cost of the closer look when nobody is found"
    )
    args = ap.parse_args()
    clip = Path(args.clip)
    if args.people:
        people_cost(clip, args.repeat)
        return
    if args.zoom:
        zoom_cost(clip, args.repeat)
        return
    info = VideoSource(clip).info
    models = [m for m in args.models.split(",") if m]
    knee_drop, pigeon = load_by_id("supine_knee_drop"), load_by_id("pigeon")
    for model in models:
        raw_inference(clip, model)  # warm-up: model load, caches

    rows: dict[str, tuple[float, int]] = {}
    rows["decode only"] = best_of(args.repeat, lambda: decode_only(clip))
    for model in models:
        rows[f"decode + inference, {model}"] = best_of(
            args.repeat, lambda m=model: raw_inference(clip, m)
        )
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "annotated.mp4"
        cases = {
            "analysis, every frame": (knee_drop, math.inf, None),
            f"analysis, knee drop at {analysis_rate_hz(knee_drop):.1f} Hz": (
                knee_drop,
                None,
                None,
            ),
            f"analysis, pigeon at {analysis_rate_hz(pigeon):.0f} Hz": (pigeon, None, None),
            "analysis + MP4, every frame": (knee_drop, math.inf, out),
            f"analysis + MP4, knee drop at {analysis_rate_hz(knee_drop):.1f} Hz": (
                knee_drop,
                None,
                out,
            ),
        }
        for name, (spec, rate, annotate) in cases.items():
            rows[name] = best_of(
                args.repeat,
                lambda s=spec, r=rate, a=annotate: len(
                    analyze_video(clip, s, rate_hz=r, annotate_to=a, draw=annotate_step).records
                ),
            )

    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(
        f"clip: {clip.name}, {info.width}x{info.height}, {info.fps:g} fps, "
        f"{info.frame_count} frames; best of {args.repeat}; {os.cpu_count()} cores, "
        f"load average {load}"
    )
    print(f"{'stage':<44} {'fps':>8} {'x real time':>12}")
    for name, (secs, n) in rows.items():
        fps = n / secs
        print(f"{name:<44} {fps:8.1f} {fps / info.fps:12.2f}")
    if "full" in models:
        base = rows["decode + inference, full"][0]
        print("against decode + full-model inference on every frame (time ratio):")
        for name in rows:
            if name.startswith("analysis"):
                print(f"  {name:<42} {rows[name][0] / base:6.2f}")
        for model in models:
            ratio = rows[f"decode + inference, {model}"][0] / base
            print(f"  inference, {model:<31} {ratio:6.2f}")
    people_cost(clip, args.repeat)
    zoom_cost(clip, args.repeat)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
