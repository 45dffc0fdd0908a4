"""Which stretches a still of each stretch's clips is offered (the photo's ``suggest``).

    .venv/bin/python benchmarks/photo_offers.py [--split dev] [--index ...] [--step 5]
        [--postures]

Takes every ``--step``-th frame of the middle of each clip (30-70 % of its frames, where
every clip of the set holds or repeats its stretch) as a still, runs the photo's
:func:`posecheck.review.photo.suggest` over every stretch on it, and prints per true stretch
the number of stills and how many were offered each stretch (a confusion count: the diagonal
wanted, nothing off it). ``--postures`` prints per true stretch how the stills' postures read
(:func:`posecheck.coaching.posture.read_posture`).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from accuracy import CLIPS, INDEX, RECORDING_SUFFIX, read_index  # noqa: E402

from posecheck.coaching.posture import read_posture  # noqa: E402
from posecheck.pose.recording import load_recording  # noqa: E402
from posecheck.review.photo import suggest  # noqa: E402
from posecheck.specs.schema import load_all  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    ap.add_argument("--index", type=Path, default=INDEX)
    ap.add_argument("--step", type=int, default=5)
    ap.add_argument("--postures", action="store_true")
    args = ap.parse_args()
    specs = load_all()
    stills: Counter[str] = Counter()
    offered: dict[str, Counter[str]] = defaultdict(Counter)
    postures: dict[str, Counter[str]] = defaultdict(Counter)
    for row in read_index(args.split, args.index):
        frames = load_recording(CLIPS / f"{row['clip']}{RECORDING_SUFFIX}").frames
        n = len(frames)
        for f in frames[int(0.3 * n) : int(0.7 * n) : args.step]:
            if f.pose is None:
                continue
            stills[row["stretch"]] += 1
            for s in suggest(f.pose, specs):
                offered[row["stretch"]][s.stretch_id] += 1
            if args.postures:
                postures[row["stretch"]][read_posture(f.pose).key] += 1
    for stretch in sorted(stills):
        own = offered[stretch][stretch]
        others = ", ".join(
            f"{sid} {k}" for sid, k in offered[stretch].most_common() if sid != stretch
        )
        print(f"{stretch:31s} stills {stills[stretch]:4d}  offered itself {own:4d}  "
              f"others: {others or '-'}")  # fmt: skip
        if args.postures:
            seen = postures[stretch].most_common()
            print("    postures: " + ", ".join(f"{k} {v}" for k, v in seen))
    wrong = sum(k for t, c in offered.items() for sid, k in c.items() if sid != t)
    right = sum(offered[t][t] for t in stills)
    print(f"all: stills {sum(stills.values())}, offered their own stretch {right}, "
          f"offers of another stretch {wrong}")  # fmt: skip


if __name__ == "__main__":
    main()
