"""Which fault lines carry to new bodies? Each fault's margins on both sides of its line, per body.

    .venv/bin/python benchmarks/margins.py --split dev [--index PATH] [--stretch ID] [--bodies]
        [--cases] [--markdown] [-j N]

Every clip of the split is replayed from its recording (the pipeline ``accuracy.py`` scores)
and, frame by frame, the value each fault compared with its line is kept
(``StretchChecker.fault_readings``: only while the fault is due, seen from the view and read
on the side it checks). A fault must stay past its line for ``min_duration_s`` before it is
flagged, so a clip's reading is its *held* peak: the largest value the reading stayed at or
past for that long, on consecutive frames.

- good side: clips that do not show the fault (good form; near misses, which act the fault
  out below the spec's line; clips showing other faults only, where a flag of this one is a
  false alarm too): the highest held reading over the whole clip;
- fault side: each time the truth says the fault is shown (its interval, widened by the
  scorer's 1 s, on a side that does not contradict it), the highest held reading; the fault
  side's figure is the lowest of these (a fault never read there, because it was not due or
  not seen, is counted as "not read", not as a reading).

Printed per fault: how many bodies have a reading on each side (a side read on one body
rests on that body), the line, the highest good reading and the body (clip) that sets it, the
near misses' highest, the lowest fault reading and its body, the margin on each side in the
reading's unit and as a share of the line (negative: that side crosses the line), and the
line a leave-one-body-out choice would pick: on all bodies but one, the midpoint between the
highest good and the lowest fault reading (where they overlap, the cut with the fewest clips
on the wrong side, the middle one of a tie), for each body in turn; its median and spread
over the folds and the held-out clips the folds' lines put on the wrong side (of those
scored: a fold whose other bodies show no fault has no line and scores nothing). ``--bodies``
adds each body's highest good and lowest fault reading, ``--cases`` every clip's. A line
``below`` is read with its sign turned (the lowest good reading is the one nearest it); a
band (``above`` and ``below``) as the distance past the nearer line, added to ``above``.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import math
import os
import statistics
import sys
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from accuracy import (  # noqa: E402
    INDEX,
    RECORDING_SUFFIX,
    TRUTH_SUFFIX,
    body_of,
    load_spec_once,
    read_index,
)

from posecheck.specs.schema import Fault  # noqa: E402

#: A flag overlapping the true interval within this many seconds is a hit (``truth.score``).
TOLERANCE_S = 1.0

Series = list[tuple[int, float, float]]  # (frame number, t_ms, value)


@dataclass(frozen=True)
class Case:
    """One clip's reading of one fault: on good form (the whole clip) or one true fault."""

    clip: str
    body: str
    fault: str
    #: "good" (good form), "near" (a near miss of this fault), "other" (a clip showing other
    #: faults only: a flag of this one there is a false alarm too) or "fault"
    kind: str
    value: float  # the held peak, in the fault's own orientation (badness); NaN: not read
    ratio: float = math.nan  # the acted magnitude over the spec's line (truth), if given


@dataclass
class FaultMargin:
    """The cases of one fault of one stretch, across bodies."""

    stretch: str
    fault: Fault
    cases: list[Case] = field(default_factory=list)


def badness(fault: Fault, value: float) -> float:
    """``value`` turned so that larger is further toward the fault."""
    if fault.above is not None and fault.below is not None:
        return max(value - fault.above, fault.below - value) + fault.above
    if fault.below is not None:
        return -value
    return value


def line_of(fault: Fault) -> float:
    """The fault's line in :func:`badness`'s orientation."""
    return fault.above if fault.above is not None else -float(fault.below or 0.0)


def shown(fault: Fault, b: float) -> float:
    """A badness in the reading's own unit again (a ``below`` line's sign turned back)."""
    return -b if fault.above is None and fault.below is not None else b


def held_peak(series: Series, hold_s: float) -> float:
    """The largest value ``series`` stayed at or above for ``hold_s`` on consecutive frames
    (the checker flags a fault whose condition held from its onset frame to a frame
    ``hold_s`` later); NaN when no run of frames is that long."""
    best = math.nan
    runs: list[Series] = []
    for item in series:
        if runs and item[0] == runs[-1][-1][0] + 1:
            runs[-1].append(item)
        else:
            runs.append([item])
    for run in runs:
        for i, (_, t0, _) in enumerate(run):
            low = math.inf
            for _, t, v in run[i:]:
                low = min(low, v)
                if (t - t0) / 1000.0 >= hold_s - 1e-9:
                    best = low if math.isnan(best) else max(best, low)
                    break
    return best


def _agree(side: str | None, true_side: str) -> bool:
    return side is None or true_side == "none" or side == true_side


def clip_cases(row: dict[str, str], clips: Path) -> list[Case]:
    """Every fault's cases in one clip (replayed from its recording)."""
    from posecheck.coaching.pipeline import Pipeline
    from posecheck.pose.recording import RecordedEstimator, load_recording

    clip = row["clip"]
    with gzip.open(clips / f"{clip}{TRUTH_SUFFIX}", "rt", encoding="utf-8") as fh:
        truth = json.load(fh)
    spec = load_spec_once(truth["stretch"])
    estimator = RecordedEstimator(load_recording(clips / f"{clip}{RECORDING_SUFFIX}"))
    pipeline = Pipeline(spec, estimator, recorded=True)
    series: dict[tuple[str, str | None], Series] = defaultdict(list)
    for n, frame in enumerate(estimator.frames()):
        pipeline.process_pose(frame)
        for fault_id, side, value in pipeline.checker.fault_readings:
            series[(fault_id, side)].append((n, frame.t_ms, value))
    body = body_of(clip)
    cases: list[Case] = []
    near = {m["fault"]: float(m.get("ratio") or math.nan) for m in truth.get("near_misses", [])}
    acted = float(row.get("fault_ratio") or math.nan)
    for fault in spec.faults:
        turned = {
            side: [(n, t, badness(fault, v)) for n, t, v in s]
            for (fid, side), s in series.items()
            if fid == fault.id
        }
        shows = [true for true in truth["faults"] if true["fault"] == fault.id]
        if not shows:  # the whole clip on the good side (a flag here is a false alarm)
            peaks = [held_peak(s, fault.min_duration_s) for s in turned.values()]
            value = max((p for p in peaks if not math.isnan(p)), default=math.nan)
            kind = "near" if fault.id in near else "other" if truth["faults"] else "good"
            cases.append(Case(clip, body, fault.id, kind, value, near.get(fault.id, math.nan)))
            continue
        for true in shows:
            lo_ms = (float(true["start_s"]) - TOLERANCE_S) * 1000.0
            hi_ms = (float(true["end_s"]) + TOLERANCE_S) * 1000.0
            peaks = [
                held_peak([x for x in s if lo_ms <= x[1] <= hi_ms], fault.min_duration_s)
                for side, s in turned.items()
                if _agree(side, true["side"])
            ]
            value = max((p for p in peaks if not math.isnan(p)), default=math.nan)
            cases.append(Case(clip, body, fault.id, "fault", value, acted))
    return cases


def choose_line(goods: list[float], faults: list[float]) -> float:
    """The line between good readings and fault readings (badness orientation; a value past
    the line is flagged): their midpoint when they part, else the cut with the fewest
    readings on the wrong side (the middle one of a tie); NaN without both kinds."""
    goods = [g for g in goods if not math.isnan(g)]
    faults = [f for f in faults if not math.isnan(f)]
    if not goods or not faults:
        return math.nan
    if max(goods) < min(faults):
        return (max(goods) + min(faults)) / 2.0
    values = sorted(set(goods + faults))
    cuts = [(a + b) / 2.0 for a, b in itertools.pairwise(values)]
    cuts = [math.nextafter(values[0], -math.inf), *cuts, values[-1]]  # all, none flagged

    def wrong(cut: float) -> int:
        return sum(g > cut for g in goods) + sum(f <= cut for f in faults)

    fewest = min(wrong(c) for c in cuts)
    best = [c for c in cuts if wrong(c) == fewest]
    return best[len(best) // 2]


@dataclass(frozen=True)
class Lobo:
    lines: tuple[float, ...]  # one per fold with both kinds of readings
    wrong_good: int  # held-out good-side clips past their fold's line
    wrong_fault: int  # held-out faults at or short of it
    good_scored: int  # held-out good-side readings scored (a fold without a line scores none)
    fault_scored: int  # held-out fault readings scored


def leave_one_body_out(cases: list[Case]) -> Lobo:
    """The line chosen on all bodies but one (:func:`choose_line`), for each body in turn,
    and the held-out body's readings it puts on the wrong side."""
    lines, wrong_good, wrong_fault, good_scored, fault_scored = [], 0, 0, 0, 0
    for body in sorted({c.body for c in cases}):
        rest = [c for c in cases if c.body != body]
        line = choose_line(
            [c.value for c in rest if c.kind != "fault"],
            [c.value for c in rest if c.kind == "fault"],
        )
        if math.isnan(line):
            continue
        lines.append(line)
        for c in cases:
            if c.body != body or math.isnan(c.value):
                continue
            if c.kind == "fault":
                fault_scored += 1
                wrong_fault += c.value <= line
            else:
                good_scored += 1
                wrong_good += c.value > line
    return Lobo(tuple(lines), wrong_good, wrong_fault, good_scored, fault_scored)


#: The kinds of case on the good side of a line.
GOOD_SIDE = ("good", "near", "other")


def _extreme(cases: list[Case], kinds: tuple[str, ...], highest: bool) -> Case | None:
    read = [c for c in cases if c.kind in kinds and not math.isnan(c.value)]
    if not read:
        return None
    return (max if highest else min)(read, key=lambda c: c.value)


def f(v: float, p: str = "{:.2f}") -> str:
    return "-" if v != v else p.format(v)


def unit(fault: Fault) -> str:
    """How a fault's readings are printed: three decimals for a line under 1."""
    return "{:.3f}" if abs(line_of(fault)) < 1 else "{:.2f}"


HEADER = [
    "stretch",
    "fault",
    "bodies good/fault",
    "line",
    "good, nearest (body clip)",
    "near miss, nearest",
    "fault, least (body clip)",
    "not read",
    "good margin",
    "fault margin",
    "LOBO line [spread]",
    "LOBO wrong",
]


def margin_row(m: FaultMargin) -> list[str]:
    fault, cases = m.fault, m.cases
    line = line_of(fault)
    good = _extreme(cases, GOOD_SIDE, highest=True)
    near = _extreme(cases, ("near",), highest=True)
    bad = _extreme(cases, ("fault",), highest=False)
    unread = sum(c.kind == "fault" and math.isnan(c.value) for c in cases)
    scale = abs(line) if line else math.nan
    u = unit(fault)

    def margin(v: float) -> str:
        return f"{f(v, u)} ({f(v / scale, '{:+.0%}')})"

    good_m = line - good.value if good else math.nan
    bad_m = bad.value - line if bad else math.nan
    lobo = leave_one_body_out(cases)
    lines = [shown(fault, v) for v in lobo.lines]
    spread = (
        f"{f(statistics.median(lines), u)} [{f(min(lines), u)} to {f(max(lines), u)}]"
        if lines
        else "-"
    )

    def who(c: Case | None) -> str:
        return "-" if c is None else f"{f(shown(fault, c.value), u)} ({c.body} {c.clip[:5]})"

    faults_n = sum(c.kind == "fault" for c in cases)
    read = [c for c in cases if not math.isnan(c.value)]
    good_bodies = len({c.body for c in read if c.kind != "fault"})
    fault_bodies = len({c.body for c in read if c.kind == "fault"})
    return [
        m.stretch,
        fault.id,
        f"{good_bodies}/{fault_bodies}",
        f(shown(fault, line), u),
        who(good),
        "-" if near is None else f(shown(fault, near.value), u),
        who(bad),
        f"{unread} of {faults_n}",
        margin(good_m),
        margin(bad_m),
        spread,
        f"{lobo.wrong_good} of {lobo.good_scored} good, "
        f"{lobo.wrong_fault} of {lobo.fault_scored} faults",
    ]


def body_rows(m: FaultMargin) -> list[str]:
    """Each body's good-side reading nearest the line and its least fault reading."""
    out = []
    for body in sorted({c.body for c in m.cases}):
        mine = [c for c in m.cases if c.body == body]
        good = _extreme(mine, GOOD_SIDE, highest=True)
        bad = _extreme(mine, ("fault",), highest=False)
        g = "-" if good is None else f(shown(m.fault, good.value), unit(m.fault))
        b = "-" if bad is None else f(shown(m.fault, bad.value), unit(m.fault))
        out.append(f"    {body}: good side nearest {g}, fault least {b}")
    return out


def case_rows(m: FaultMargin) -> list[str]:
    """Every case of one fault, highest reading first."""
    cases = sorted(
        m.cases, key=lambda c: (math.isnan(c.value), -c.value if c.value == c.value else 0)
    )
    return [
        f"    {c.clip} {c.kind} {f(shown(m.fault, c.value), unit(m.fault))}"
        f" (acted {f(c.ratio)} times the line)"
        for c in cases
    ]


def table(rows: list[list[str]], markdown: bool) -> None:
    if markdown:
        print("| " + " | ".join(HEADER) + " |")
        print("|" + "---|" * len(HEADER))
        for r in rows:
            print("| " + " | ".join(r) + " |")
        return
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(HEADER)]
    for r in [HEADER, *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))


def collect(cases: list[Case], stretches: dict[str, str]) -> list[FaultMargin]:
    """The cases grouped per stretch and fault, in the spec's order."""
    out: list[FaultMargin] = []
    for stretch in sorted(set(stretches.values())):
        spec = load_spec_once(stretch)
        for fault in spec.faults:
            mine = [c for c in cases if stretches[c.clip] == stretch and c.fault == fault.id]
            out.append(FaultMargin(stretch, fault, mine))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    ap.add_argument("--index", type=Path, default=INDEX, help="index of the clips to read")
    ap.add_argument("--stretch", action="append", help="only this stretch (repeatable)")
    ap.add_argument("--bodies", action="store_true", help="each body's readings too")
    ap.add_argument("--cases", action="store_true", help="every clip's reading too")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    ap.add_argument("-j", "--jobs", type=int, default=min(2, os.cpu_count() or 1))
    args = ap.parse_args()
    work = read_index(args.split, args.index)
    if args.stretch:
        work = [r for r in work if r["stretch"] in args.stretch]
    if not work:
        sys.exit(f"no clips in split {args.split} of {args.index}")
    reader = partial(clip_cases, clips=args.index.parent / "clips")
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        cases = [c for cs in pool.map(reader, work, chunksize=4) for c in cs]
    margins = collect(cases, {r["clip"]: r["stretch"] for r in work})
    bodies = len({r["body"] for r in work})
    print(f"split {args.split}: {len(work)} clips, {bodies} bodies\n")
    table([margin_row(m) for m in margins], args.markdown)
    if args.bodies or args.cases:
        for m in margins:
            line = f(shown(m.fault, line_of(m.fault)), unit(m.fault))
            print(f"\n{m.stretch} {m.fault.id} (line {line}):")
            rows = (body_rows(m) if args.bodies else []) + (case_rows(m) if args.cases else [])
            print("\n".join(rows))


if __name__ == "__main__":
    main()
