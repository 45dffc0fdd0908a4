"""Record the estimator's output for videos: one MediaPipe pass, replayed ever after.

    .venv/bin/python benchmarks/record.py VIDEO.mp4 --out VIDEO.pose.json.gz
    .venv/bin/python benchmarks/record.py --all [--force]     # the whole benchmark
    .venv/bin/python benchmarks/record.py --all --model heavy --split dev \
        --mp4 /work/main/benchmarks/data/mp4 --out-dir /work/rec-heavy    # another model, elsewhere

``--all`` re-records every benchmark clip whose video is in the cache
(``benchmarks/data/mp4/NAME.mp4`` -> ``benchmarks/data/clips/NAME.pose.json.gz``). It skips
recordings already made by the current estimator (same name, package version and settings),
so after the estimator changes, this one command brings the whole set up to date; ``--force``
records everything again. Clips whose video is not cached are named: render them again with
``tools/render/generate.py`` (same seed, same clip) after deleting their recording.
See posecheck/pose/recording.py for the file format.

``--model lite|full|heavy|FILE.task`` records with another pose model; ``--out-dir`` writes the
recordings to another folder (the benchmark's own recordings stay as they are) and
``--mp4`` reads the videos from another cache. ``--split`` and ``--only`` limit the clips (the
split from ``index.csv`` beside the truth files, or ``--index``). Score such a folder with
``benchmarks/accuracy.py --recordings DIR``.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posecheck.errors import PosecheckError  # noqa: E402
from posecheck.pose.recording import SUFFIX, estimator_info, load_recording, record_video  # noqa: E402

DATA = ROOT / "benchmarks" / "data"


def current_estimator(model: str | None = None) -> dict:
    from posecheck.pose.estimator import MediaPipePoseEstimator

    est = MediaPipePoseEstimator(model=model)
    try:
        return estimator_info(est)
    finally:
        est.close()


def _clip_names(index: Path, split: str | None, only: str | None) -> list[str]:
    """The clips of ``index`` whose truth file is beside it, in the split, matching ``only``."""
    with index.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    clips = index.parent / "clips"
    return [
        r["clip"]
        for r in rows
        if (split in (None, "all") or r["split"] == split)
        and (only is None or only in r["clip"])
        and (clips / f"{r['clip']}.truth.json.gz").exists()
    ]


def record_all(
    force: bool,
    quiet: bool,
    *,
    model: str | None = None,
    index: Path = DATA / "index.csv",
    split: str | None = None,
    only: str | None = None,
    mp4: Path = DATA / "mp4",
    out_dir: Path | None = None,
) -> int:
    names = _clip_names(index, split, only)
    out_dir = out_dir or index.parent / "clips"
    out_dir.mkdir(parents=True, exist_ok=True)
    now = current_estimator(model)
    done = missing = 0
    for i, name in enumerate(names, 1):
        rec = out_dir / (name + SUFFIX)
        video = mp4 / f"{name}.mp4"
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
            print(f"[{i}/{len(names)}] {name}", flush=True)
        record_video(video, rec, model=model)
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
    ap.add_argument("--model", help="pose model: lite, full, heavy or a .task file (default full)")
    ap.add_argument("--index", type=Path, default=DATA / "index.csv", help="with --all")
    ap.add_argument("--split", choices=["dev", "test", "all"], help="with --all")
    ap.add_argument("--only", help="with --all: clips whose name contains this")
    ap.add_argument("--mp4", type=Path, default=DATA / "mp4", help="with --all: the video cache")
    ap.add_argument("--out-dir", type=Path, help="with --all: write the recordings here")
    args = ap.parse_args()
    try:
        if args.all:
            return record_all(
                args.force,
                args.quiet,
                model=args.model,
                index=args.index,
                split=args.split,
                only=args.only,
                mp4=args.mp4,
                out_dir=args.out_dir,
            )
        if not args.videos or (args.out and len(args.videos) > 1):
            ap.error("give one video with --out, videos without it, or --all")
        for video in args.videos:
            out = args.out or video.with_name(video.stem + SUFFIX)
            rec = record_video(video, out, model=args.model)
            if not args.quiet:
                found = sum(f.pose is not None for f in rec.frames)
                print(f"{out}: {len(rec.frames)} frames, person found in {found}")
    except PosecheckError as exc:
        print(f"record: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
