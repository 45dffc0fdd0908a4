"""Record the estimator's output for videos: one MediaPipe pass, replayed ever after.

    .venv/bin/python benchmarks/record.py VIDEO.mp4 --out VIDEO.pose.json.gz
    .venv/bin/python benchmarks/record.py --all [--force]     # the whole benchmark

``--all`` re-records every benchmark clip whose video is in the cache
(``benchmarks/data/mp4/NAME.mp4`` -> ``benchmarks/data/clips/NAME.pose.json.gz``). It skips
recordings already made by the current estimator (same name, package version and settings),
so after the estimator changes, this one command brings the whole set up to date; ``--force``
records everything again. Clips whose video is not cached are named: render them again with
``tools/render/generate.py`` (same seed, same clip) after deleting their recording.
See posecheck/pose/recording.py for the file format.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posecheck.errors import PosecheckError  # noqa: E402
from posecheck.pose.recording import SUFFIX, estimator_info, load_recording, record_video  # noqa: E402

DATA = ROOT / "benchmarks" / "data"


def current_estimator() -> dict:
    from posecheck.pose.estimator import MediaPipePoseEstimator

    est = MediaPipePoseEstimator()
    try:
        return estimator_info(est)
    finally:
        est.close()


def record_all(force: bool, quiet: bool) -> int:
    clips = sorted((DATA / "clips").glob("*.truth.json.gz"))
    now = current_estimator()
    done = missing = 0
    for i, truth in enumerate(clips, 1):
        name = truth.name[: -len(".truth.json.gz")]
        rec = truth.with_name(name + SUFFIX)
        video = DATA / "mp4" / f"{name}.mp4"
        if rec.exists() and not force:
            try:
                if load_recording(rec).estimator == now:
                    continue
            except PosecheckError:
                pass
        if not video.exists():
            print(f"no cached video for {name}: render it again with tools/render/generate.py")
            missing += 1
            continue
        if not quiet:
            print(f"[{i}/{len(clips)}] {name}", flush=True)
        record_video(video, rec)
        done += 1
    print(f"recorded {done} clips; {missing} without a cached video")
    return 1 if missing else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("videos", nargs="*", type=Path)
    ap.add_argument("--out", type=Path, help="recording file (one video only)")
    ap.add_argument("--all", action="store_true", help="every benchmark clip")
    ap.add_argument("--force", action="store_true", help="with --all: record every clip again")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()
    try:
        if args.all:
            return record_all(args.force, args.quiet)
        if not args.videos or (args.out and len(args.videos) > 1):
            ap.error("give one video with --out, videos without it, or --all")
        for video in args.videos:
            out = args.out or video.with_name(video.stem + SUFFIX)
            rec = record_video(video, out)
            if not args.quiet:
                found = sum(f.pose is not None for f in rec.frames)
                print(f"{out}: {len(rec.frames)} frames, person found in {found}")
    except PosecheckError as exc:
        print(f"record: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
