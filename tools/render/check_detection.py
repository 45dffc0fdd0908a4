"""Check that the project's pose estimator finds the rendered person in a sample clip.

    .venv/bin/python tools/render/check_detection.py CLIP.mp4 [CLIP2.mp4 ...]
        [--model lite|full|heavy|FILE.task] [--json] [--dump DIR] [--no-record]

Runs the clip through the same decoding and estimator as the app (posecheck.media.source and
posecheck.pose.estimator: MediaPipe Tasks PoseLandmarker, video mode, default model ``full``).
For each clip prints the fraction of frames with a person detected and, when CLIP.truth.json
beside it has "joints_px", the mean pixel error of hips, knees and ankles (and shoulders)
against the projected joint centres of the posed skeleton. It also reports how many frames are
better explained with left/right swapped (a label swap by the estimator).
--dump DIR writes every 10th frame with the landmarks (dots) and the truth (crosses) drawn.
Results are also recorded in tools/render/detection_results.json (by clip name) unless
--no-record is given; tools/render/clip_table.py reads that file.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from posecheck.media.source import VideoSource  # noqa: E402
from posecheck.pose.estimator import TasksPoseEstimator  # noqa: E402
from posecheck.pose.landmarks import Landmark  # noqa: E402

JOINTS = ("shoulder", "hip", "knee", "ankle")
MAIN = ("hip", "knee", "ankle")
RECORD = Path(__file__).resolve().parent / "detection_results.json"


def swap(name: str) -> str:
    return name.replace("left", "@").replace("right", "left").replace("@", "right")


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 1)


def check(path: str | Path, dump: str | Path | None = None, model: str | None = None) -> dict:
    """Detection rate, mean 2D error against the truth and left/right swaps for one clip."""
    path = Path(path)
    truth_path = path.with_name(path.stem + ".truth.json")
    truth = json.loads(truth_path.read_text()) if truth_path.is_file() else None
    truth_frames = truth["frames"] if truth else []
    names = [f"{s}_{j}" for j in JOINTS for s in ("left", "right")]
    n = detected = swapped = compared = 0
    errors: dict[str, list[float]] = {j: [] for j in JOINTS}
    with TasksPoseEstimator(model=model) as estimator:
        for frame in VideoSource(path).frames():
            n += 1
            result = estimator.estimate(frame)
            fr = truth_frames[frame.index] if frame.index < len(truth_frames) else None
            image = frame.image.copy() if dump and frame.index % 10 == 0 else None
            if result.pose is not None:
                detected += 1
                xy = result.pose.image_xy
                pts = {k: tuple(xy[Landmark[k.upper()]]) for k in names}
                if fr and "joints_px" in fr:
                    tp = fr["joints_px"]
                    main = [f"{s}_{j}" for j in MAIN for s in ("left", "right")]
                    same = sum(math.dist(pts[k], tp[k]) for k in main)
                    other = sum(math.dist(pts[swap(k)], tp[k]) for k in main)
                    compared += 1
                    swapped += other < same
                    for k in names:
                        errors[k.split("_", 1)[1]].append(math.dist(pts[k], tp[k]))
                if image is not None:
                    for k, p in pts.items():
                        colour = (0, 255, 0) if k.startswith("left") else (0, 0, 255)
                        cv2.circle(image, (int(p[0]), int(p[1])), 4, colour, -1)
            if image is not None:
                for k, p in ((fr or {}).get("joints_px") or {}).items():
                    colour = (0, 160, 0) if k.startswith("left") else (0, 0, 160)
                    cv2.drawMarker(image, (int(p[0]), int(p[1])), colour, cv2.MARKER_CROSS, 10, 2)
                Path(dump).mkdir(parents=True, exist_ok=True)
                cv2.imwrite(str(Path(dump) / f"{path.stem}_{frame.index:04d}.png"), image)
    out: dict = {
        "clip": path.name,
        "frames": n,
        "detected": detected,
        "detection_rate": round(detected / n, 3) if n else 0.0,
        "estimator": estimator.describe()["settings"]["model"],
    }
    if compared:
        out["mean_px_error_hip_knee_ankle"] = _mean([e for j in MAIN for e in errors[j]])
        out["mean_px_error"] = {j: _mean(v) for j, v in errors.items() if v}
        out["frames_better_with_lr_swapped"] = swapped
    return out


def line(r: dict) -> str:
    text = (
        f"{r['clip']}: detected {r['detected']}/{r['frames']} frames "
        f"({100 * r['detection_rate']:.0f}%)"
    )
    if "mean_px_error" in r:
        text += (
            f"; mean px error hips/knees/ankles {r['mean_px_error_hip_knee_ankle']:.1f} "
            f"{r['mean_px_error']}; frames better with L/R swapped: "
            f"{r['frames_better_with_lr_swapped']}"
        )
    return text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clips", nargs="+")
    ap.add_argument("--model", default=None, help="lite, full (default), heavy or a .task file")
    ap.add_argument("--json", action="store_true", help="one JSON object per clip")
    ap.add_argument("--dump", default=None, help="write every 10th frame with marks here")
    ap.add_argument("--no-record", action="store_true", help="leave detection_results.json")
    args = ap.parse_args()
    for clip in args.clips:
        r = check(clip, args.dump, args.model)
        if not args.no_record:
            results = json.loads(RECORD.read_text()) if RECORD.exists() else {}
            results[r["clip"]] = r
            RECORD.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
        print(json.dumps(r) if args.json else line(r))


if __name__ == "__main__":
    main()
