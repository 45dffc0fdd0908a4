"""Speed of the stages after the estimator (smoothing, body, checker, cues), replaying the
benchmark's recordings, and what the knee roll's swing plane adds to it, all in one run.

    .venv/bin/python benchmarks/replay_speed.py [--split dev] [--clips 6] [--repeat 3]

For each stretch whose spec reads a knee roll with ``swing_until_deg`` (the knee's swing plane
through the body's camera, averaged with the on-screen reading), the first ``--clips`` clips
of the split are replayed from their recordings (``posecheck.review.analysis.analyze_recording``,
no estimator) with the spec as it is and, as the baseline, with ``swing_until_deg`` taken out;
the two alternate, and the best of ``--repeat`` runs of each is kept. Printed: frames a second
of each and the ratio (with / without: what the swing plane costs). The live path runs the same
stages on every frame it processes.

Then each swing-plane reading those replays made (``CameraView.swing_deg``), worked out again
two ways on the same inputs, alternating: as it was until session 9 (the camera's rotation
and its aim at the hips for every reading, and the angle's uncertainty, then thrown away) and
as it is (the rotation kept for the views just seen, the angle alone); the two must agree to
the last bit. Timings are ratios measured in the same run (machines here are shared and
noisy); nothing is asserted but that agreement.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posecheck.body import swing  # noqa: E402
from posecheck.review.analysis import analyze_recording  # noqa: E402
from posecheck.specs import metrics  # noqa: E402
from posecheck.specs.metrics import KneeRoll  # noqa: E402
from posecheck.specs.schema import StretchSpec, load_by_id  # noqa: E402

INDEX = ROOT / "benchmarks" / "data" / "index.csv"


def without_swing(spec: StretchSpec) -> StretchSpec:
    """The spec with every knee roll's ``swing_until_deg`` taken out (on-screen reading only)."""
    measures = {
        name: m.model_copy(update={"swing_until_deg": None}) if isinstance(m, KneeRoll) else m
        for name, m in spec.measures.items()
    }
    return spec.model_copy(update={"measures": measures})


def swing_stretches() -> list[str]:
    ids = sorted({row["stretch"] for row in _rows()})
    return [
        s
        for s in ids
        if any(
            isinstance(m, KneeRoll) and m.swing_until_deg is not None
            for m in load_by_id(s).measures.values()
        )
    ]


def _rows() -> list[dict[str, str]]:
    with INDEX.open() as fh:
        return list(csv.DictReader(fh))


def replay_all(paths: list[Path], spec: StretchSpec) -> tuple[float, int]:
    """(seconds, frames) to replay every recording once."""
    t0 = time.perf_counter()
    frames = sum(len(analyze_recording(p, spec).records) for p in paths)
    return time.perf_counter() - t0, frames


Reading = tuple[tuple, tuple]  # (_view_rotation's arguments, limb_angle_deg's without rot)


def swing_readings(paths: list[Path], spec: StretchSpec) -> list[Reading]:
    """The inputs of every swing-plane reading a replay of ``paths`` makes."""
    seen: list[Reading] = []
    view, angle = metrics._view_rotation, swing.limb_angle_deg
    last: list[tuple] = []

    def spy_view(*args: object) -> object:
        last[:] = [args]
        return view(*args)

    def spy_angle(start, end, rest, toward, rot, focal=None, centre=None):
        seen.append((last[0], (start, end, rest, toward, focal, centre)))
        return angle(start, end, rest, toward, rot, focal, centre)

    metrics._view_rotation, swing.limb_angle_deg = spy_view, spy_angle  # type: ignore[assignment]
    try:
        for p in paths:
            analyze_recording(p, spec)
    finally:
        metrics._view_rotation, swing.limb_angle_deg = view, angle  # type: ignore[assignment]
    return seen


def as_before(readings: list[Reading]) -> list[float]:
    """Session 8's way: rotation and aim every time, the angle with its uncertainty."""
    out = []
    for (az, el, roll, posture, *aim), (start, end, rest, toward, focal, centre) in readings:
        rot = swing.camera_rotation(az, el, roll, posture)
        if aim and aim[0] is not None:
            hx, hy, f, cx, cy = aim[0]
            rot = swing.aimed(rot, np.array([hx, hy]), f, np.array([cx, cy]))
        out.append(swing.swing_angle_deg(start, end, rest, toward, rot, focal, centre)[0])
    return out


def as_now(readings: list[Reading]) -> list[float]:
    metrics._view_rotation.cache_clear()
    return [
        swing.limb_angle_deg(start, end, rest, toward, metrics._view_rotation(*v), focal, centre)
        for v, (start, end, rest, toward, focal, centre) in readings
    ]


def same(a: list[float], b: list[float]) -> bool:
    if len(a) != len(b):
        return False
    return all(x == y or (math.isnan(x) and math.isnan(y)) for x, y in zip(a, b, strict=True))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="dev", choices=("dev", "test", "all"))
    ap.add_argument("--clips", type=int, default=6, help="clips per stretch")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each; the best is kept")
    args = ap.parse_args()
    rows = [r for r in _rows() if args.split == "all" or r["split"] == args.split]
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPU cores, load average {load} (other work skews figures)")
    print(f"{'stretch':<24} clips frames  with swing fps  without fps  ratio (with/without)")
    readings: list[Reading] = []
    for stretch in swing_stretches():
        paths = [
            INDEX.parent / "clips" / f"{r['clip']}.pose.json.gz"
            for r in rows
            if r["stretch"] == stretch
        ][: args.clips]
        spec = load_by_id(stretch)
        base = without_swing(spec)
        best = {"with": float("inf"), "without": float("inf")}
        frames = 0
        for _ in range(args.repeat):
            for name, s in (("with", spec), ("without", base)):
                seconds, frames = replay_all(paths, s)
                best[name] = min(best[name], seconds)
        print(
            f"{stretch:<24} {len(paths):5d} {frames:6d} {frames / best['with']:15.0f} "
            f"{frames / best['without']:12.0f}  {best['with'] / best['without']:6.2f}"
        )
        readings += swing_readings(paths, spec)
    times = {"before": float("inf"), "now": float("inf")}
    results = {}
    for _ in range(args.repeat):
        for name, fn in (("before", as_before), ("now", as_now)):
            t0 = time.perf_counter()
            results[name] = fn(readings)
            times[name] = min(times[name], time.perf_counter() - t0)
    agree = "the same angles" if same(results["before"], results["now"]) else "DIFFERENT ANGLES"
    each_us = {k: v / max(1, len(readings)) * 1e6 for k, v in times.items()}
    print(
        f"swing-plane readings: {len(readings)}; as before {each_us['before']:.0f} us each, "
        f"now {each_us['now']:.0f} us; ratio now / before "
        f"{times['now'] / times['before']:.2f} ({agree})"
    )
    if agree != "the same angles":
        raise SystemExit("the cached swing plane reads other angles than the uncached one")


if __name__ == "__main__":
    main()
