"""Speed of offline analysis against raw MediaPipe inference, measured in one run.

    .venv/bin/python benchmarks/speed.py [CLIP] [--repeat N]

Default clip: ../shared/media/bridging.mp4 (640x480, 30 fps). Prints frames per second of
(1) decoding alone, (2) decoding + raw inference, (3) the whole analysis (inference, smoothing,
checker, cues), (4) the whole analysis with the annotated MP4; then what everything but
inference adds, as a ratio, and the real-time factor against the clip's own frame rate.
Targets (issue #2): non-inference work adds <= 10 %; analysis runs at >= 1x real time.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posecheck.analysis import analyze_video  # noqa: E402
from posecheck.estimator import MediaPipePoseEstimator  # noqa: E402
from posecheck.source import VideoSource  # noqa: E402
from posecheck.spec import load_by_id  # noqa: E402

DEFAULT_CLIP = ROOT.parent / "shared" / "media" / "bridging.mp4"


def timed(fn) -> tuple[float, int]:
    start = time.perf_counter()
    n = fn()
    return time.perf_counter() - start, n


def decode_only(clip: Path) -> int:
    return sum(1 for _ in VideoSource(clip).frames())


def raw_inference(clip: Path) -> int:
    n = 0
    with MediaPipePoseEstimator() as estimator:
        for frame in VideoSource(clip).frames():
            estimator.estimate(frame)
            n += 1
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clip", nargs="?", default=str(DEFAULT_CLIP))
    ap.add_argument("--repeat", type=int, default=3, help="runs of each; the best is kept")
    args = ap.parse_args()
    clip = Path(args.clip)
    info = VideoSource(clip).info
    spec = load_by_id("supine_knee_drop")
    raw_inference(clip)  # warm-up: model load, caches

    def best(fn) -> tuple[float, int]:
        runs = [timed(fn) for _ in range(args.repeat)]
        return min(runs)

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "annotated.mp4"
        rows = {
            "decode": best(lambda: decode_only(clip)),
            "decode + inference (baseline)": best(lambda: raw_inference(clip)),
            "full analysis": best(lambda: len(analyze_video(clip, spec).records)),
            "full analysis + annotated MP4": best(
                lambda: len(analyze_video(clip, spec, annotate_to=out).records)
            ),
        }
    print(
        f"clip: {clip.name}, {info.width}x{info.height}, {info.fps:g} fps, "
        f"{info.frame_count} frames; best of {args.repeat}"
    )
    print(f"{'stage':<32} {'fps':>8} {'x real time':>12}")
    for name, (secs, n) in rows.items():
        fps = n / secs
        print(f"{name:<32} {fps:8.1f} {fps / info.fps:12.2f}")
    base = rows["decode + inference (baseline)"][0]
    for name in ("full analysis", "full analysis + annotated MP4"):
        extra = rows[name][0] / base - 1
        print(f"{name}: adds {extra * 100:+.1f} % to decode + inference")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
