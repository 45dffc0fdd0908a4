"""Can a position read as a change from the start be told with no start? (``active.clear_past``)

    .venv/bin/python benchmarks/position_from_look.py [--split dev] [--margin 10] [--timing]

Replays the split's clips of the stretches whose position is relative to the start and keeps,
per frame and side, the position measure's own reading (no start subtracted) and the truth.
For each stretch it prints the lowest line on the reading alone (``above``) or on the reading
against the other leg's (``over_other``) that ``--margin`` degrees past every resting reading
(both legs under 2 degrees true, or this leg turned the other way) catches the most frames in
position (true angle past the entry line); then leave-one-body-out: the line chosen on the
other bodies, scored on the one left out (resting frames past it should be none).
``--timing`` prints, per clip, when the person was found, when the start was taken, when the
truth and the checker were first in position, and whether the truth was in position before
the start existed.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from accuracy import CLIPS, INDEX, RECORDING_SUFFIX, TRUTH_SUFFIX, read_index  # noqa: E402

from posecheck.review.truth import load_truth  # noqa: E402

#: A leg at rest: its true angle under this (degrees).
REST_DEG = 2.0
#: Candidate lines (degrees): the reading alone, and past the other leg's reading (-inf: none).
ABOVE = (-math.inf, *range(0, 71, 5))
OVER_OTHER = (-math.inf, *range(0, 101, 5))

Frame = tuple[str, str, float, float]  # (body, kind: rest | in | between, reading, against other)


def relative_stretches() -> list[str]:
    from posecheck.specs.schema import load_all

    return sorted(
        sid
        for sid, spec in load_all().items()
        if spec.measures[spec.active.measure].relative_to_start and spec.sided[spec.active.measure]
    )


def replay(row: dict[str, str]) -> tuple[list[Frame], str]:
    """The clip's frames as (body, kind, reading, reading - other's) per side, and a timing line."""
    from posecheck.coaching.pipeline import Pipeline
    from posecheck.pose.recording import RecordedEstimator, load_recording
    from posecheck.specs.schema import load_by_id

    clip = row["clip"]
    truth = load_truth(CLIPS / f"{clip}{TRUTH_SUFFIX}")
    spec = load_by_id(truth.stretch)
    name, enter = spec.active.measure, spec.active.enter
    sign = 1.0 if spec.active.direction == "up" else -1.0
    estimator = RecordedEstimator(load_recording(CLIPS / f"{clip}{RECORDING_SUFFIX}"))
    pipeline = Pipeline(spec, estimator)
    out: list[Frame] = []
    found = taken = true_in = active = math.nan
    for frame in estimator.frames():
        result = pipeline.process_pose(frame).result
        t = frame.t_ms / 1000.0
        if frame.pose is not None and math.isnan(found):
            found = t
        own = {mv.side: mv for mv in result.measures if mv.name == name}
        if math.isnan(taken) and any(mv.known for mv in own.values()):
            taken = t
        if math.isnan(active) and result.state == "active":
            active = t
        if frame.index >= len(truth.rom_deg) or result.state in ("no_person", "settling"):
            continue
        true_left, true_right = truth.rom_deg[frame.index]
        true = {"left": true_left or 0.0, "right": true_right or 0.0}
        if math.isnan(true_in) and max(true.values()) >= enter:
            true_in = t
        for side, other in (("left", "right"), ("right", "left")):
            mine, theirs = own[side].raw, own[other].raw
            if math.isnan(mine) or math.isnan(theirs):
                continue
            if true[side] < 0 or (abs(true[side]) < REST_DEG and abs(true[other]) < REST_DEG):
                kind = "rest"  # at rest, or turned the other way (the knee falling outward)
            elif true[side] >= enter:
                kind = "in"
            else:
                kind = "between"
            out.append((truth.body, kind, sign * mine, sign * (mine - theirs)))
    early = " in position before its start" if true_in <= taken or math.isnan(taken) else ""
    line = (
        f"{clip:58s} found {found:4.1f} start {taken:4.1f} truth in {true_in:4.1f} "
        f"checker in {active:4.1f} s{early}"
    )
    return out, line


def past(frames: list[Frame], above: float, over: float) -> int:
    return sum(1 for _, _, r, d in frames if r > above and d > over)


def best_line(frames: list[Frame], margin: float) -> tuple[float, float, float]:
    """(share of in-position frames past it, above, over_other): the line that catches most,
    ``margin`` past every resting reading."""
    rest = [f for f in frames if f[1] == "rest"]
    inside = [f for f in frames if f[1] == "in"]
    best = (-1.0, math.nan, math.nan)
    for above in ABOVE:
        for over in OVER_OTHER:
            if past(rest, above - margin, over - margin):
                continue
            share = past(inside, above, over) / max(len(inside), 1)
            if share > best[0]:
                best = (share, float(above), float(over))
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    ap.add_argument("--index", type=Path, default=INDEX)
    ap.add_argument("--margin", type=float, default=10.0)
    ap.add_argument("--timing", action="store_true", help="one timing line per clip")
    args = ap.parse_args()
    wanted = set(relative_stretches())
    by_stretch: dict[str, list[Frame]] = defaultdict(list)
    for row in read_index(args.split, args.index):
        if row["stretch"] not in wanted:
            continue
        frames, line = replay(row)
        by_stretch[row["stretch"]] += frames
        if args.timing:
            print(line, flush=True)
    for stretch, frames in sorted(by_stretch.items()):
        share, above, over = best_line(frames, args.margin)
        print(f"{stretch}: line reading > {above:.0f}, past the other leg by > {over:.0f} "
              f"(-inf: no line): {share:.0%} of in-position frames")  # fmt: skip
        rest_past = in_past = in_all = 0
        for body in sorted({f[0] for f in frames}):
            _, a, o = best_line([f for f in frames if f[0] != body], args.margin)
            mine = [f for f in frames if f[0] == body]
            r = past([f for f in mine if f[1] == "rest"], a, o)
            i = [f for f in mine if f[1] == "in"]
            rest_past, in_past, in_all = rest_past + r, in_past + past(i, a, o), in_all + len(i)
            print(f"  left out {body}: line {a:.0f} / {o:.0f}, resting frames past it {r}, "
                  f"in position {past(i, a, o)} of {len(i)}")  # fmt: skip
        print(f"  leave-one-body-out: resting frames past the line {rest_past}, in-position "
              f"frames past it {in_past} of {in_all}")  # fmt: skip


if __name__ == "__main__":
    main()
