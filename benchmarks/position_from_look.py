"""Can a position read as a change from the start be told with no start? (``active.clear_past``)

    .venv/bin/python benchmarks/position_from_look.py [--split dev] [--margin 10] [--timing]

Replays the split's clips of the stretches whose position is relative to the start and keeps,
per frame and side, the position measure's own reading (no start subtracted) and the truth.
For each stretch it prints the lowest line on the reading alone (``above``) or on the reading
against the other leg's (``over_other``) that ``--margin`` degrees past every resting reading
(both legs under 2 degrees true, or this leg turned the other way) catches the most frames in
position (true angle past the entry line); then leave-one-body-out: the line chosen on the
other bodies, scored on the one left out (resting frames past it should be none).
``--other-readings`` looks further: every measure's own reading of the spec (per side, and
against the other side's), and the knee's bend on screen and in 3D, each alone with one line
past every resting reading of the other bodies, scored on the body left out (the best eight
per stretch).
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
        if not {"left", "right"} <= own.keys():
            continue  # a wholly unknown frame measures nothing (e.g. read from behind)
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


Reading = tuple[str, str, dict[str, float]]  # (body, kind, reading name -> value)
_LEGS = {s: (f"{s}_hip", f"{s}_knee", f"{s}_ankle") for s in ("left", "right")}


def other_readings(row: dict[str, str]) -> list[Reading]:
    """Per frame and side (rest or in position only): every measure's own reading, alone
    (``:own``) and against the other side's (``:apart``), a whole-body measure's reading, and
    the knee's bend on screen and in 3D for this leg (``:own``) and the other (``:other``)."""
    from posecheck.body.geometry import joint_angle_deg
    from posecheck.coaching.pipeline import Pipeline
    from posecheck.pose.landmarks import index_of
    from posecheck.pose.recording import RecordedEstimator, load_recording
    from posecheck.specs.schema import load_by_id

    truth = load_truth(CLIPS / f"{row['clip']}{TRUTH_SUFFIX}")
    spec = load_by_id(truth.stretch)
    estimator = RecordedEstimator(load_recording(CLIPS / f"{row['clip']}{RECORDING_SUFFIX}"))
    pipeline = Pipeline(spec, estimator)
    out: list[Reading] = []
    for frame in estimator.frames():
        step = pipeline.process_pose(frame)
        result, pose = step.result, step.pose_frame.pose
        if pose is None or frame.index >= len(truth.rom_deg) or result.state == "settling":
            continue
        true_left, true_right = truth.rom_deg[frame.index]
        true = {"left": true_left or 0.0, "right": true_right or 0.0}
        raw = {(mv.name, mv.side): mv.raw for mv in result.measures}
        for side, other in (("left", "right"), ("right", "left")):
            if true[side] < 0 or (abs(true[side]) < REST_DEG and abs(true[other]) < REST_DEG):
                kind = "rest"
            elif true[side] >= spec.active.enter:
                kind = "in"
            else:
                continue
            got: dict[str, float] = {}
            for (name, s), v in raw.items():
                if s is None:
                    got[name] = v
                elif s == side:
                    got[f"{name}:own"], got[f"{name}:apart"] = v, v - raw[(name, other)]
            for space, xyz in (("screen", pose.image_xy), ("3d", pose.world_xyz)):
                for tag, leg in ((":own", side), (":other", other)):
                    if xyz is not None:
                        h, k, a = (xyz[index_of(n)] for n in _LEGS[leg])
                        got[f"knee bend {space}{tag}"] = 180.0 - joint_angle_deg(h, k, a)
            out.append((truth.body, kind, got))
    return out


def search_readings(rows: list[Reading], top: int = 8) -> list[str]:
    """Each reading, either way round, with the line just past every resting reading of the
    other bodies, scored on the body left out: share of in-position frames past it, and the
    resting frames past it (none wanted)."""
    found = []
    names = sorted({n for _, _, got in rows for n in got})
    bodies = sorted({b for b, _, _ in rows})
    for name in names:
        for sign, way in ((1.0, ">"), (-1.0, "<")):
            vals = [
                (b, k, sign * got[name])
                for b, k, got in rows
                if not math.isnan(got.get(name, math.nan))
            ]
            if not any(k == "rest" for _, k, _ in vals) or not any(k == "in" for _, k, _ in vals):
                continue
            rest_past = caught = n_in = 0
            for body in bodies:
                rest = [v for b, k, v in vals if k == "rest" and b != body]
                line = max(rest, default=math.inf)
                rest_past += sum(1 for b, k, v in vals if b == body and k == "rest" and v > line)
                mine = [v for b, k, v in vals if b == body and k == "in"]
                caught, n_in = caught + sum(v > line for v in mine), n_in + len(mine)
            line_all = sign * max(v for _, k, v in vals if k == "rest")
            found.append((rest_past > 0, -caught / max(n_in, 1), rest_past, name, way, line_all))
    found.sort()
    return [
        f"  {name:32s} {way} {line:8.2f}: in-position frames past it {-share:4.0%}, resting "
        f"frames past it (left-out body) {rest}"
        for _, share, rest, name, way, line in found[:top]
    ]


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
    ap.add_argument("--other-readings", action="store_true", help="search every reading")
    args = ap.parse_args()
    wanted = set(relative_stretches())
    if args.other_readings:
        rows: dict[str, list[Reading]] = defaultdict(list)
        for row in read_index(args.split, args.index):
            if row["stretch"] in wanted:
                rows[row["stretch"]] += other_readings(row)
        for stretch, got in sorted(rows.items()):
            print(f"{stretch}: the best single readings, leave-one-body-out")
            print("\n".join(search_readings(got)), flush=True)
        return
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
