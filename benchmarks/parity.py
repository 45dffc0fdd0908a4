"""Live vs replay at the pose stage: what lost pictures do to the set, per pose-model mode.

A busy machine's live worker loses camera pictures. The checker gives the same answer on the
landmarks of the pictures it is given (tests/test_live_parity.py); this measures what the pose
model reads on the pictures it keeps. For each clip and each mode of the pose model, the set
(reps, holds, faults, best ROM per side) read from every picture (the replay) is compared with
the set read from the pictures kept when some are lost: two lost where the knee starts to move,
every other kept (a steady rate), and 55 % kept at random (``--seeds``, one by default). Modes:

- ``video``: MediaPipe's VIDEO mode, one person (tracking from the last picture's landmarks, and
  MediaPipe's own landmark filter, which runs on the pictures' times);
- ``image``: IMAGE mode on every picture (the person detector each time; no state between
  pictures, so a picture reads the same whichever others were lost).

(VIDEO mode looking for two people, where MediaPipe runs no landmark filter, read exactly what
IMAGE mode reads on supine_knee_drop_good_male: with more people wanted than it tracks, the
person detector runs on every picture, so it is no "tracking without the filter".)

Also the speed of each mode: seconds a picture, as a ratio to ``video`` over the same pictures
in the same run. Prints; asserts nothing.

    nice -n 10 .venv/bin/python benchmarks/parity.py [--clips NAME ...] [--modes video image]

``--too-fast-drops`` instead replays the dev split's clamshell recordings with frames dropped
(all kept, every 2nd, every 3rd, 55 % at random: ``--seeds`` patterns) under three rules for a
timed movement with no frame inside its middle (the spec's ``jump_within_s``, never timed,
always timed) and prints ``too_fast`` hits, misses and false alarms against the truth
(docs/measurement.md, 18.6).
"""

from __future__ import annotations

import argparse
import csv
import random
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from posecheck.coaching.checker import Summary
from posecheck.coaching.pipeline import FrameRecord, Pipeline
from posecheck.media.source import Frame, VideoSource
from posecheck.pose.estimator import TasksPoseEstimator
from posecheck.pose.landmarks import PoseFrame
from posecheck.pose.recording import RecordedEstimator, load_recording
from posecheck.review.analysis import Analysis
from posecheck.review.truth import load_truth, score
from posecheck.specs.schema import load_by_id

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_videos"
#: The clips of tests/test_live_parity.py.
CLIPS = {
    "supine_knee_drop_good_female": "supine_knee_drop",
    "supine_knee_drop_good_male": "supine_knee_drop",
    "prone_ir_hips_lift_female": "prone_internal_rotation",
    "prone_ir_good_male": "prone_internal_rotation",
}
MODES: dict[str, Callable[[], TasksPoseEstimator]] = {
    "video": lambda: TasksPoseEstimator(),
    "image": lambda: TasksPoseEstimator(still_images=True, people_probe_s=None),
}


def patterns(n: int, seeds: int = 1, steady: tuple[int, ...] = (2,)) -> dict[str, list[int]]:
    """Which pictures are kept, by name."""
    out = {"lose 19+21": [i for i in range(n) if i not in (19, 21)]}
    out.update({f"1 in {k}": list(range(0, n, k)) for k in steady})
    for seed in range(1, seeds + 1):
        rng = random.Random(seed)
        out[f"55% seed {seed}"] = [i for i in range(n) if i == 0 or rng.random() < 0.55]
    return out


class _NoEstimator:
    def close(self) -> None:
        pass


def the_set(summary: Summary) -> tuple[object, ...]:
    return (
        tuple(summary.reps),
        summary.holds_completed,
        tuple(sorted({(e.fault_id, e.side or "-") for e in summary.faults})),
    )


def check(spec_id: str, poses: list[PoseFrame]) -> Summary:
    pipeline = Pipeline(load_by_id(spec_id), _NoEstimator(), recorded=True)  # type: ignore[arg-type]
    for p in poses:
        pipeline.process_pose(p)
    return pipeline.checker.summary()


def estimate(mode: str, frames: list[Frame], keep: list[int]) -> tuple[list[PoseFrame], float]:
    """The poses of the kept pictures, and seconds per picture (the first, which loads the
    graph, not timed)."""
    est = MODES[mode]()
    try:
        poses = [est.estimate(frames[keep[0]])]
        t0 = time.perf_counter()
        poses += [est.estimate(frames[i]) for i in keep[1:]]
        spent = (time.perf_counter() - t0) / max(1, len(keep) - 1)
    finally:
        est.close()
    return poses, spent


def best(summary: Summary) -> str:
    return " ".join(f"{s[0]} {'-' if v is None else f'{v:5.1f}'}" for s, v in summary.best_rom_deg)


def too_fast_drops(
    seeds: int = 1, index: Path = REPO / "benchmarks" / "data" / "index.csv"
) -> None:
    """Clamshell ``too_fast`` on the dev recordings with frames dropped, per jump rule."""
    base = load_by_id("clamshell")

    def with_jump(within_s: float | None):  # the spec with another jump rule
        metric = base.measures["opening_time"].model_copy(update={"jump_within_s": within_s})
        return base.model_copy(update={"measures": {**base.measures, "opening_time": metric}})

    rules = {"spec": base, "never timed": with_jump(1e9), "always timed": with_jump(None)}
    with open(index, newline="") as fh:
        rows = [
            r for r in csv.DictReader(fh) if r["split"] == "dev" and r["stretch"] == "clamshell"
        ]
    kept: dict[str, Callable[[int, random.Random], list[int]]] = {
        "all": lambda n, rng: list(range(n)),
        "every 2nd": lambda n, rng: list(range(0, n, 2)),
        "every 3rd": lambda n, rng: list(range(0, n, 3)),
    }
    for seed in range(1, seeds + 1):  # 55 % kept at random, a pattern per clip and seed
        kept[f"55% seed {seed}"] = lambda n, rng: [
            i for i in range(n) if i == 0 or rng.random() < 0.55
        ]
    counts: dict[tuple[str, str], list[int]] = {}  # hits, misses, false alarms
    alarmed: dict[tuple[str, str], set[str]] = {}  # clips with a false alarm
    clips = index.parent / "clips"
    for row in rows:
        recording = load_recording(clips / f"{row['clip']}.pose.json.gz")
        frames = RecordedEstimator(recording).frames()
        truth = load_truth(clips / f"{row['clip']}.truth.json.gz")
        for name, pattern in kept.items():
            rng = random.Random(zlib.crc32(f"{row['clip']} {name}".encode()))
            keep = pattern(len(frames), rng)
            for rule, spec in rules.items():
                pipe = Pipeline(spec, RecordedEstimator(recording), recorded=True)
                records = tuple(FrameRecord.from_step(pipe.process_pose(frames[i])) for i in keep)
                analysis = Analysis(
                    recording.info, spec, records, pipe.checker.summary(), pipe.body.camera.estimate
                )
                s = score(analysis, truth)
                alarms = [e for e in s.false_alarms if e.fault_id == "too_fast"]
                c = counts.setdefault((name, rule), [0, 0, 0])
                c[0] += sum(h[0].fault == "too_fast" for h in s.hits)
                c[1] += sum(m.fault == "too_fast" for m in s.misses)
                c[2] += len(alarms)
                if alarms:
                    alarmed.setdefault((name, rule), set()).add(row["clip"].split("_")[0])
    print(f"dev clamshell, {len(rows)} recordings: too_fast hits / misses / false alarms")
    for name in kept:
        cells = []
        for rule in rules:
            h, m, fa = counts[(name, rule)]
            where = " ".join(sorted(alarmed.get((name, rule), ())))
            cells.append(f"{rule} {h}/{m}/{fa}{f' ({where})' if where else ''}")
        print(f"  {name:14s}  " + "   ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", nargs="*", default=list(CLIPS))
    parser.add_argument("--modes", nargs="*", default=list(MODES), choices=list(MODES))
    parser.add_argument("--seeds", type=int, default=1, help="random patterns (55 %% kept)")
    parser.add_argument("--steady", type=int, nargs="*", default=[2], help="every n-th kept")
    parser.add_argument(
        "--too-fast-drops", action="store_true", help="clamshell too_fast with frames dropped"
    )
    args = parser.parse_args()
    if args.too_fast_drops:
        too_fast_drops(args.seeds)
        return
    speed: dict[str, list[float]] = {m: [] for m in args.modes}
    worst: dict[str, float] = {m: 0.0 for m in args.modes}
    sets_differ: dict[str, int] = {m: 0 for m in args.modes}
    for clip in args.clips:
        spec_id = CLIPS[clip]
        frames = list(VideoSource(SAMPLES / f"{clip}.mp4").frames())
        n = len(frames)
        print(f"\n{clip} ({n} pictures)")
        for mode in args.modes:
            full, spent = estimate(mode, frames, list(range(n)))
            speed[mode].append(spent)
            replay = check(spec_id, full)
            print(f"  {mode:17s} every picture   {best(replay)}  {the_set(replay)}")
            for name, keep in patterns(n, args.seeds, tuple(args.steady)).items():
                if mode == "image":  # no state between pictures: the same poses, fewer
                    poses = [full[i] for i in keep]
                else:
                    poses, _ = estimate(mode, frames, keep)
                live = check(spec_id, poses)
                gaps = [
                    abs(a - b)
                    for (_, a), (_, b) in zip(live.best_rom_deg, replay.best_rom_deg, strict=True)
                    if a is not None and b is not None
                ]
                gap = max(gaps, default=0.0)
                worst[mode] = max(worst[mode], gap)
                same = the_set(live) == the_set(replay)
                sets_differ[mode] += not same
                flag = "" if same else f"  SET DIFFERS {the_set(live)}"
                print(f"  {'':17s} {name:15s} {best(live)}  max gap {gap:4.1f}{flag}")
    print("\nmode               s/picture  ratio to video  worst best-ROM gap  sets differing")
    base = sum(speed.get("video", [])) or None
    for mode in args.modes:
        total = sum(speed[mode])
        ratio = f"{total / base:5.2f}" if base else "  -  "
        print(
            f"{mode:17s}  {total / len(speed[mode]):8.3f}  {ratio:>14s}  "
            f"{worst[mode]:18.1f}  {sets_differ[mode]:14d}"
        )


if __name__ == "__main__":
    main()
