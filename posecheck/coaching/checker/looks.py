"""How the body looks against a spec, frame by frame and with no history: in position, on
which side, which variant, which sides a fault is checked on, and every measure of a still."""

from __future__ import annotations

import dataclasses
import math

from posecheck.body.geometry import PoseGeometry
from posecheck.coaching.checker.results import MeasureValue, SideKey, Values
from posecheck.pose.landmarks import SIDES, Pose, Side, other_side
from posecheck.specs.metrics import FromMeasure, MetricBase, StartOr
from posecheck.specs.schema import Fault, Look, StretchSpec, Variant


def look_measures(
    spec: StretchSpec, values: Values, look: Look, key: SideKey | str
) -> list[MeasureValue]:
    """The values a look judges for a working side ``key`` (a side, "both" or None): the
    working or other side's value of a per-side measure (every side's when no single side
    works), or the whole-body value."""
    if not spec.sided[look.measure]:
        return [values[(look.measure, None)]]
    if key in SIDES:
        side = key if look.side == "working" else other_side(key)  # type: ignore[arg-type]
        return [values[(look.measure, side)]]
    return [values[(look.measure, s)] for s in SIDES]


def looks_right(
    spec: StretchSpec,
    values: Values,
    looks: tuple[Look, ...],
    key: SideKey | str,
    seen_lately: frozenset[tuple[str, SideKey | str]] = frozenset(),
) -> bool:
    """Every look holds for working side ``key`` (an unknown value does not). An entry-only
    look whose (measure, key) is in ``seen_lately`` counts as holding: it held a moment ago."""
    return all(
        look.holds(mv.value) is True or (look.entry_only and (look.measure, key) in seen_lately)
        for look in looks
        for mv in look_measures(spec, values, look, key)
    )


def entry_looks_holding(spec: StretchSpec, values: Values) -> set[tuple[str, SideKey | str]]:
    """(measure, working side) of every entry-only look of the position that holds now."""
    keys: tuple[SideKey | str, ...] = (*SIDES, "both", None)
    return {
        (look.measure, key)
        for look in spec.active.looks
        if look.entry_only
        for key in keys
        if (spec.sided[look.measure] or key is None)
        and all(look.holds(mv.value) is True for mv in look_measures(spec, values, look, key))
    }


def looks_gone(spec: StretchSpec, values: Values, key: SideKey | str) -> bool:
    """A look of the position is past its line and margin: the person has left the shape (an
    unknown value is not proof of that)."""
    return any(
        look.holds(mv.value, staying=True) is False
        for look in spec.active.looks
        if not look.entry_only
        for mv in look_measures(spec, values, look, key)
    )


def entering_side(
    spec: StretchSpec,
    values: Values,
    seen_lately: frozenset[tuple[str, SideKey | str]] = frozenset(),
) -> tuple[bool, Side | str | None]:
    """Whether these values put the body in position, and on which working side: a side,
    "both", or None for a whole-body measure. The position's measure must pass its entry
    line and the body must have every look of the position (an entry-only look may have
    held a moment ago instead: ``seen_lately``, see :func:`looks_right`)."""
    pos = spec.active
    sign = 1.0 if pos.direction == "up" else -1.0
    vals = {mv.side: sign * mv.value for mv in position_values(spec, values)}
    enter = sign * pos.enter
    candidates: dict[Side | str | None, float]
    if None in vals:
        candidates = {None: vals[None]} if vals[None] > enter else {}
    elif pos.combine == "both":
        low = min(vals.values())
        candidates = {"both": low} if low > enter else {}
    else:
        candidates = {s: v for s, v in vals.items() if v > enter}
    # The shape must fit too: one number past its line is not yet the stretch.
    candidates = {
        s: v for s, v in candidates.items() if looks_right(spec, values, pos.looks, s, seen_lately)
    }
    if not candidates:
        return False, None
    working = max(candidates, key=lambda s: candidates[s])
    if working is None and spec.dose.sides == "both":
        working = "both"  # a whole-body measure of a stretch for both sides at once
    return True, working


def variant_of(spec: StretchSpec, values: Values, key: SideKey | str) -> Variant | None:
    """The first of the spec's variants the body looks like, for working side ``key``."""
    return next((v for v in spec.variants if looks_right(spec, values, v.looks, key)), None)


def fault_sides(fault: Fault, working: Side | str | None) -> tuple[SideKey, ...]:
    """The sides a fault is checked on while ``working`` is the working side."""
    if fault.side == "none":
        return (None,)
    if fault.side == "each":
        return SIDES
    if working not in SIDES:
        return ()
    return (working,) if fault.side == "working" else (other_side(working),)  # type: ignore[arg-type]


def raw_value(metric: MetricBase, g: PoseGeometry, side: SideKey) -> tuple[tuple[str, ...], float]:
    """(landmarks it cannot see, the value before any starting value is subtracted)."""
    missing = metric.missing(g, side)
    return missing, math.nan if missing else metric.compute(g, side)


def measure_still(spec: StretchSpec, pose: Pose, min_visibility: float | None = None) -> Values:
    """Every measure of one picture, with no history: a measure taken relative to the start
    is unknown (its ``raw`` value is kept) and a speed is unknown, without missing landmarks."""
    g = PoseGeometry(pose, spec.min_visibility if min_visibility is None else min_visibility)
    out: Values = {}
    for name, metric in spec.measures.items():
        for side in SIDES if spec.sided[name] else (None,):
            if isinstance(metric, FromMeasure):
                out[(name, side)] = MeasureValue(name, side, math.nan)
                continue
            missing, raw = raw_value(metric, g, side)
            value = math.nan if metric.relative_to_start else raw
            out[(name, side)] = MeasureValue(name, side, value, missing, raw)
    for name, metric in spec.measures.items():
        if isinstance(metric, StartOr):  # no start from one picture
            for side in SIDES if spec.sided[name] else (None,):
                out[(name, side)] = dataclasses.replace(out[(metric.before_start, side)], name=name)
    return out


def position_values(spec: StretchSpec, values: Values) -> list[MeasureValue]:
    """The position's own measure, per side (or the whole-body value); for a movement of
    both legs together (``sides_together``), each side's reading of that one movement."""
    name = spec.active.measure
    own = [values[(name, s)] for s in (SIDES if spec.sided[name] else (None,))]
    if not spec.active.sides_together or len(own) != 2:
        return own
    sign = 1.0 if spec.active.direction == "up" else -1.0
    return [_together(own[0], own[1], sign), _together(own[1], own[0], sign)]


def _together(mine: MeasureValue, other: MeasureValue, sign: float) -> MeasureValue:
    """One side's value of a movement of both legs together: its own or the other side's
    turned round, whichever is further in (a knee rolls in as far as the other rolls out,
    and the far leg, half hidden behind the near one, reads short), or the other's turned
    round when this leg is unknown, or its own when the other's is. A hidden leg whose
    partner is seen waits with it for its starting value (not unknown: the seen leg's start
    is being taken)."""
    if not other.known:
        if mine.known or other.missing:
            return mine
        return MeasureValue(mine.name, mine.side, math.nan, (), mine.raw)
    turned = -other.value
    if mine.known and sign * mine.value >= sign * turned:
        return mine
    return MeasureValue(mine.name, mine.side, turned, (), mine.raw)


def clear_past(spec: StretchSpec, values: Values, side: Side, staying: bool = False) -> bool | None:
    """Whether ``side`` is in position by the position measure's own reading, with no start
    (``active.clear_past``): past every resting reading, alone or against the other leg's
    reading in the same picture. ``staying``: once in position by it, eased by the gap between
    the entry and exit lines (hysteresis). None when a reading it needs is unknown or the
    spec has no such lines."""
    clear = spec.active.clear_past
    if clear is None or not spec.sided[spec.active.measure]:
        return None
    sign = 1.0 if spec.active.direction == "up" else -1.0
    name = spec.active.measure
    mine, other = values[(name, side)].raw, values[(name, other_side(side))].raw
    margin = abs(spec.active.enter - spec.active.exit) if staying else 0.0
    return clear.clear(sign * mine, sign * other, margin)


def clear_side(spec: StretchSpec, values: Values) -> Side | None:
    """The side in position by its own reading alone (:func:`clear_past`) with every look of
    the position right, the one furthest in when both are; None when neither is."""
    sides = [
        s
        for s in SIDES
        if clear_past(spec, values, s) and looks_right(spec, values, spec.active.looks, s)
    ]
    if not sides:
        return None
    sign = 1.0 if spec.active.direction == "up" else -1.0
    return max(sides, key=lambda s: sign * values[(spec.active.measure, s)].raw)
