"""Made-up weeks of practice, for tests, the benchmark and screenshots (never shown as real).

Sessions are built the way the app builds them: a checker
:class:`~posecheck.coaching.checker.Summary` and per-frame records of a real stretch spec go through
:func:`~posecheck.review.records.session_from_summary`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

from posecheck.coaching.checker import FaultEvent, Hold, Summary
from posecheck.coaching.pipeline import FrameRecord
from posecheck.review.records import NewSession, session_from_summary
from posecheck.specs.schema import StretchSpec


def _frames(
    rng: random.Random, n: int, duration_s: float, best: tuple[float, float]
) -> list[FrameRecord]:
    """``n`` frames over the set: each side rises to its best and back, with a little noise."""
    out = []
    for i in range(n):
        phase = math.sin(math.pi * i / max(n - 1, 1))
        left, right = (round(b * phase + rng.gauss(0, 1.0), 2) for b in best)
        t_ms = i * duration_s * 1000 / n
        out.append(FrameRecord(i, t_ms, "active", None, left, right, 0.0, (), ""))
    return out


def sample_summary(rng: random.Random, spec: StretchSpec, week: float) -> Summary:
    """One set of ``spec`` in week ``week`` of practice: range of motion grows over weeks."""
    gain = min(week, 8) * 1.6
    best = (22 + gain + rng.gauss(0, 2), 18 + gain * 0.8 + rng.gauss(0, 2))
    sided = spec.dose.sides in ("alternating", "each")
    reps = (
        (("left", spec.dose.reps_per_side), ("right", spec.dose.reps_per_side))
        if sided
        else (("both" if spec.dose.sides == "both" else "all", spec.dose.reps_per_side),)
    )
    hold_s = spec.dose.hold_s if spec.dose.kind == "hold" else 3.0
    holds = []
    for k in range(sum(n for _, n in reps)):
        side = ("left", "right")[k % 2] if sided else None
        held = hold_s if rng.random() > 0.2 else hold_s * 0.6
        holds.append(Hold(side, k * 1000.0, k * 1000.0 + held * 1000, held, held >= hold_s, None))
    duration_s = len(holds) * (hold_s + 6.0)
    faults = []
    for fault in spec.faults:
        for _ in range(rng.choice((0, 0, 1, 2))):
            start = rng.uniform(0, duration_s * 900)
            side = rng.choice(("left", "right")) if fault.side != "none" else None
            faults.append(
                FaultEvent(fault.id, side, fault.message, fault.severity, start, start + 500,
                           start + 3000, 0.0)
            )  # fmt: skip
    return Summary(
        stretch_id=spec.id,
        duration_s=duration_s,
        no_person_s=0.0,
        unknown_s=0.0,
        faults=tuple(sorted(faults, key=lambda e: e.start_ms)),
        holds=tuple(holds),
        reps=reps,
        holds_completed=sum(1 for h in holds if h.completed),
        best_rom_deg=(("left", best[0]), ("right", best[1])) if spec.rom else (),
    )


def sample_sessions(
    specs: Sequence[StretchSpec],
    n: int,
    *,
    start: datetime,
    every: timedelta = timedelta(days=2),
    profile: str = "Me",
    frames: int = 300,
    seed: int = 0,
) -> Iterator[NewSession]:
    """``n`` sessions from ``start`` on, one each ``every``, cycling through ``specs``; each
    keeps ``frames`` frames of range of motion."""
    rng = random.Random(seed)
    for i in range(n):
        spec = specs[i % len(specs)]
        at = start + every * i + timedelta(minutes=rng.randint(0, 600))
        week = (at - start).days / 7.0
        summary = sample_summary(rng, spec, week)
        best = dict(summary.best_rom_deg)
        records = (
            _frames(rng, frames, summary.duration_s, (best["left"], best["right"]))
            if spec.rom is not None
            else []
        )
        origin = "live" if i % 3 else "replay"
        yield session_from_summary(
            summary,
            spec,
            profile=profile,
            origin=origin,
            source_name=None if origin == "live" else f"set-{i + 1}.mp4",
            records=records,
            started_at=at,
        )
