"""How right is the feedback? The full pipeline on every rendered sample clip, against truth.

    .venv/bin/python benchmarks/accuracy.py [--clips sample_videos] [--markdown]

For each clip in ``sample_videos/`` with a ``.truth.json`` beside it: real MediaPipe, the
stretch's spec, the checker. Prints per stretch and overall:
- fault precision (flags that match a true fault / all flags) and recall (true faults that
  were flagged / true faults the spec checks), a flag matching when it overlaps the true
  interval within 1 s; faults the spec lists as not checked from its view are counted apart;
- mean time from a fault's onset to its flag;
- repetition-count error (sum over sides) and, for hold stretches, hold-count error (times in
  position against the held pauses);
- ROM mean absolute error per frame in position, and the error of the best ROM per side.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posecheck.analysis import analyze_video  # noqa: E402
from posecheck.spec import load_by_id  # noqa: E402
from posecheck.truth import Score, load_truth, mean, score  # noqa: E402


def fmt(v: float, pattern: str = "{:.2f}") -> str:
    return "-" if v != v else pattern.format(v)


def row(name: str, scores: list[Score]) -> list[str]:
    hits = sum(len(s.hits) for s in scores)
    misses = sum(len(s.misses) for s in scores)
    flags = sum(s.flags for s in scores)
    false_alarms = sum(len(s.false_alarms) for s in scores)
    unchecked = sum(len(s.not_checked) for s in scores)
    precision = (flags - false_alarms) / flags if flags else float("nan")
    recall = hits / (hits + misses) if hits + misses else float("nan")
    delays = [d for s in scores for _, d in s.hits]
    rom = [e for s in scores for e in s.rom_errors_deg]
    best = [abs(e) for s in scores for _, e in s.best_rom_error_deg]
    return [
        name,
        str(len(scores)),
        fmt(precision),
        fmt(recall),
        str(unchecked),
        fmt(mean(delays), "{:.1f} s"),
        str(sum(s.rep_error for s in scores)),
        str(sum(s.hold_error for s in scores)),
        fmt(mean(rom), "{:.1f}"),
        fmt(mean(best), "{:.1f}"),
    ]


HEADER = [
    "stretch",
    "clips",
    "precision",
    "recall",
    "not checked",
    "time to flag",
    "rep err",
    "hold err",
    "ROM MAE deg",
    "best ROM err deg",
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", default=str(ROOT / "sample_videos"))
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    ap.add_argument("--verbose", action="store_true", help="one line per clip")
    args = ap.parse_args()
    by_stretch: dict[str, list[Score]] = defaultdict(list)
    truths = sorted(Path(args.clips).glob("*.truth.json"))
    for i, path in enumerate(truths, 1):
        truth = load_truth(path)
        clip = path.with_name(path.name.replace(".truth.json", ".mp4"))
        sys.stderr.write(f"\r[{i}/{len(truths)}] {clip.name:<50}")
        s = score(analyze_video(clip, load_by_id(truth.stretch)), truth)
        by_stretch[truth.stretch].append(s)
        if args.verbose:
            print(
                f"{clip.name}: hits {[(t.fault, t.side) for t, _ in s.hits]} "
                f"misses {[(t.fault, t.side) for t in s.misses]} "
                f"false {[(e.fault_id, e.side) for e in s.false_alarms]} "
                f"rep err {s.rep_error} best ROM err {s.best_rom_error_deg}"
            )
    sys.stderr.write("\n")
    rows = [row(k, v) for k, v in sorted(by_stretch.items())]
    rows.append(row("all", [s for v in by_stretch.values() for s in v]))
    if args.markdown:
        print("| " + " | ".join(HEADER) + " |")
        print("|" + "---|" * len(HEADER))
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(HEADER)]
        for r in [HEADER, *rows]:
            print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))


if __name__ == "__main__":
    main()
