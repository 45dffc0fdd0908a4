"""Randomized benchmark clips: plan, render, record, index (resumable).

    .venv/bin/python tools/render/generate.py --count 416 [-j 1] [--only 0-51] [--plan]

Clip ``i`` is fully determined by ``--master-seed`` (default 11) and ``i``: its stretch
(round-robin over the 13 stretches, so every stretch gets clips early), a template motion from
``tools/render/motions/`` (good form or one fault), a body from ``bodies.py`` (which fixes the
split), and from the clip's own seed: the working side (the motion mirrored), the camera around
the template's view (azimuth +/-25 deg, either side of the body where the stretch allows,
height +/-0.3 m, distance +/-0.5 m, roll +/-4 deg, phone / webcam / wide lens), when the
movement starts (0.5-3 s), how slow or brisk it is, its amplitude, the fault's magnitude
(on both sides of the spec's threshold: a magnitude below it is a near miss, recorded in the
truth as ``near_misses`` and scored as good form), clothes, room and light colours.

For each clip number not yet done (a recording of that number exists = done), it writes the
motion into ``benchmarks/data/mp4/NAME.yaml``, renders ``NAME.mp4`` there with Blender (one
thread, under ``nice``), stores the truth compactly as ``benchmarks/data/clips/NAME.truth.json.gz``, records
the estimator's output as ``benchmarks/data/clips/NAME.pose.json.gz`` (``benchmarks/record.py``)
and rewrites ``benchmarks/data/index.csv`` from the truth files. ``benchmarks/data/mp4/`` is
a cache outside git: any clip can be rendered again from its seed.

Stop it at any time (Ctrl-C or kill); run the same command again to continue.
"""

from __future__ import annotations

import argparse
import copy
import csv
import functools
import gzip
import hashlib
import json
import math
import os
import random
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

import bodies  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
CLIPS = DATA / "clips"
CACHE = DATA / "mp4"
INDEX = DATA / "index.csv"
MOTIONS = HERE / "motions"
#: Clip numbers from here on show the second test set's bodies (``bodies.SECOND_TEST``), the
#: bodies in turn, one per clip; with the 13 stretches also in turn, numbers 1000-1064 cover
#: every (stretch, body) pair once. The first plan (numbers below) is untouched.
SECOND_TEST_FROM = 1000
#: Clip numbers from here on show the second dev set's bodies (``bodies.SECOND_DEV``), the
#: bodies in turn. The first 36 numbers (2000-2035) give each of the stretches whose truth has a
#: ROM number (``SECOND_DEV_ROM_FIRST``, in turn) on each of the four bodies once; from 2036 on
#: the 13 stretches go in turn, so 2036-2087 cover every (stretch, body) pair once.
SECOND_DEV_FROM = 2000
SPECS = ROOT / "stretch_specs"

STRETCHES = (
    "prone_internal_rotation",
    "supine_knee_drop",
    "seated_butterfly",
    "clamshell",
    "figure_four",
    "standing_band_rotation",
    "supine_hip_rotation",
    "supine_knee_fallout",
    "seated_internal_rotation_twist",
    "seated_cross_ankle_rotation",
    "pigeon",
    "reclined_hero",
    "band_walk",
)
# The second dev set's first stretches: those with a ROM number, the hip rotation ones first.
SECOND_DEV_ROM_FIRST = (
    "prone_internal_rotation",
    "clamshell",
    "seated_cross_ankle_rotation",
    "seated_internal_rotation_twist",
    "supine_knee_drop",
    "standing_band_rotation",
    "supine_hip_rotation",
    "supine_knee_fallout",
    "seated_butterfly",
)

# Parameters mirrored (negated) when the motion is mirrored left <-> right: rotations about
# the body's long or front-back axis and world x offsets (the body's left-right axis in every
# posture except side lying, which is therefore never mirrored).
MIRROR_NEGATE = {
    "pelvis_roll_deg",
    "pelvis_obliquity_deg",
    "trunk_lateral_deg",
    "trunk_rotation_deg",
    "head_rotation_deg",
    "head_lateral_deg",
    "pelvis_x_m",
    "ankle_offset_x_m",
}
NO_MIRROR_POSTURES = {"side_lying_left", "side_lying_right"}
# Views a person may also set up on the other side of the body (the camera mirrored).
SIDE_VIEWS_MIRROR = {"prone", "supine", "quadruped", "kneeling"}

# ROM amplitude: (parameter, range of its peak value in degrees). The template's peak value of
# the parameter is scaled to a value drawn from the range.
AMPLITUDE = {
    "prone_internal_rotation": ("hip_internal_rotation_deg", (15.0, 50.0)),
    "standing_band_rotation": ("hip_internal_rotation_deg", (15.0, 45.0)),
    "supine_knee_drop": ("knee_in_deg", (15.0, 50.0)),
    "supine_hip_rotation": ("knee_in_deg", (15.0, 50.0)),
    "supine_knee_fallout": ("knee_in_deg", (15.0, 50.0)),
    "seated_butterfly": ("knee_in_deg", (30.0, 65.0)),
    "clamshell": ("knee_in_deg", (20.0, 50.0)),
    "seated_internal_rotation_twist": ("trunk_rotation_deg", (15.0, 50.0)),
    # the crossed thigh's opening out of the midline plane is the hip's abduction (the truth's
    # rom_deg equals the skeleton's hip_abduction_deg there); scaled about its resting value
    "seated_cross_ankle_rotation": ("hip_abduction_deg", (15.0, 45.0)),
}
# Stretches added to AMPLITUDE after their clips were planned: the amplitude is drawn from its
# own random stream (so the rest of these clips' plans, camera and timing, stays as it was),
# and the parameter is scaled about its value in the motion's ``base`` (the legs at rest)
# rather than about zero.
AMPLITUDE_OWN_STREAM = {"seated_cross_ankle_rotation"}

# Fault magnitudes. Per template: the parameters that act out the fault, each as
# (part, name, value in good form), and ``threshold``: the magnitude, as a fraction of the
# template's, where the spec's stated physical line lies (from the spec's ``why``). The
# parameters are scaled about their good-form value at the keys inside the fault's interval.
# Templates not listed keep the template's magnitude.
FAULT_SCALE = {
    "prone_ir_hips_lift_female": ([("body", "pelvis_lift_m", 0.0)], 3.0 / 7.0),  # 3 cm
    "prone_ir_knee_bend_off_female": ([("both", "knee_flexion_deg", 90.0)], 20.0 / 30.0),
    "clamshell_heels_apart_female": ([("right", "ankle_offset_z_m", 0.0)], 0.5),
    "figure_four_head_lifts_female": ([("body", "head_flexion_deg", 0.0)], 0.05 / 0.07),
    "figure_four_pelvis_lifts_male": ([("body", "pelvis_lift_m", 0.0)], 0.5),  # 4 of 8 cm
    "seated_butterfly_back_rounded_male": (
        [("body", "trunk_flexion_deg", 4.0), ("body", "head_flexion_deg", 0.0)],
        15.0 / 31.0,
    ),
    "seated_cross_ankle_rotation_back_rounded_female": (
        [("body", "trunk_flexion_deg", 8.0), ("body", "head_flexion_deg", 0.0)],
        15.0 / 27.0,
    ),
    "seated_internal_rotation_twist_spine_rounded_male": (
        [("body", "trunk_flexion_deg", 2.0), ("body", "head_flexion_deg", 0.0)],
        15.0 / 28.0,
    ),
    "seated_internal_rotation_twist_straight_leg_bends_female": (
        [("right", "knee_flexion_deg", 0.0), ("right", "hip_flexion_deg", 90.0)],
        0.5,
    ),
    "standing_band_rotation_hip_hikes_male": ([("body", "pelvis_obliquity_deg", 0.0)], 0.8),
    "standing_band_rotation_knee_bends_male": (
        [
            ("right", "knee_flexion_deg", 2.0),
            ("right", "hip_flexion_deg", 0.0),
            ("right", "ankle_plantarflexion_deg", 0.0),
        ],
        0.75,
    ),
    "standing_band_rotation_trunk_leans_female": ([("body", "trunk_lateral_deg", 0.0)], 0.6),
    "supine_hip_rotation_shoulders_lift_male": ([("body", "trunk_rotation_deg", 0.0)], 9 / 25),
    "supine_knee_drop_feet_move_female": (
        [("left", "ankle_offset_x_m", 0.0), ("left", "ankle_offset_y_m", 0.0)],
        0.6,
    ),
    "supine_knee_drop_other_knee_falls_male": ([("right", "knee_in_deg", 0.0)], 12.0 / 25.0),
    "supine_knee_drop_pelvis_rolls_female": (
        [("body", "pelvis_roll_deg", 0.0), ("body", "trunk_rotation_deg", 0.0)],
        0.7,
    ),
    "supine_knee_fallout_feet_move_female": ([("left", "ankle_offset_x_m", 0.0)], 0.8),
    "supine_knee_fallout_shoulders_lift_male": (
        [("body", "trunk_rotation_deg", 0.0), ("body", "shoulder_lift_m", 0.0)],
        0.5,
    ),
    "band_walk_trunk_leans_female": ([("body", "trunk_lateral_deg", 0.0)], 0.4),
    "band_walk_knees_cave_male": (
        [("left", "knee_in_deg", 0.0), ("right", "knee_in_deg", 0.0)],
        0.5,
    ),
}
# Speed faults: the quick segments (<= 0.55 s) are stretched by a factor; the fault is true
# when the peak angular speed of a smoothstep segment (1.5 x mean) exceeds the spec's line.
SPEED_FAULTS = {
    "clamshell_too_fast_male": ("knee_in_deg", 80.0),
    "supine_knee_drop_too_fast_male": ("knee_in_deg", 75.0),
    "standing_band_rotation_jerky_return_female": ("hip_internal_rotation_deg", 65.0),
}

PALETTE = {
    "shirt": [
        (0.75, 0.18, 0.08),
        (0.05, 0.50, 0.50),
        (0.10, 0.20, 0.55),
        (0.55, 0.55, 0.55),
        (0.85, 0.80, 0.70),
        (0.08, 0.08, 0.09),
        (0.20, 0.45, 0.15),
        (0.60, 0.10, 0.35),
        (0.85, 0.60, 0.10),
    ],
    "pants": [
        (0.05, 0.07, 0.22),
        (0.18, 0.06, 0.22),
        (0.06, 0.06, 0.06),
        (0.30, 0.30, 0.32),
        (0.35, 0.25, 0.15),
        (0.10, 0.25, 0.35),
    ],
    "socks": [(0.85, 0.85, 0.82), (0.10, 0.10, 0.10), (0.45, 0.45, 0.50)],
    "hair": [(0.08, 0.05, 0.03), (0.12, 0.07, 0.04), (0.35, 0.22, 0.10), (0.55, 0.52, 0.48)],
    "mat": [
        (0.45, 0.58, 0.68),
        (0.20, 0.35, 0.25),
        (0.50, 0.20, 0.45),
        (0.15, 0.15, 0.17),
        (0.70, 0.45, 0.35),
        (0.35, 0.40, 0.60),
    ],
    "floor": [(0.42, 0.28, 0.16), (0.60, 0.45, 0.30), (0.30, 0.30, 0.30), (0.70, 0.68, 0.62)],
    "wall": [(0.78, 0.76, 0.70), (0.65, 0.70, 0.75), (0.85, 0.82, 0.75), (0.55, 0.50, 0.45)],
}
SKIN = {
    "african": (0.30, 0.18, 0.11),
    "asian": (0.68, 0.50, 0.36),
    "caucasian": (0.78, 0.58, 0.46),
}
MAX_CLIP_S = 30.0
LENSES = {"phone": (24.0, 28.0), "webcam": (28.0, 34.0), "wide": (18.0, 22.0)}
STUDIO_LIGHTS = ("Default", "basic.sl", "outdoor.sl", "studio.sl")


# ---------------------------------------------------------------- templates


def load_templates() -> dict[str, list[dict]]:
    by_stretch: dict[str, list[dict]] = {}
    for path in sorted(MOTIONS.glob("*.yaml")):
        m = yaml.safe_load(path.read_text())
        m["_template"] = path.stem
        by_stretch.setdefault(m["stretch"], []).append(m)
    return by_stretch


@functools.lru_cache(maxsize=None)
def checked_faults(stretch: str) -> frozenset[str]:
    spec = yaml.safe_load((SPECS / f"{stretch}.yaml").read_text())
    return frozenset(f["id"] for f in spec.get("faults", []))


def variant_of(template: dict) -> str:
    name = template["_template"]
    name = name.rsplit("_", 1)[0]  # body suffix
    for prefix in (template["stretch"], "prone_ir"):
        if name.startswith(prefix + "_"):
            return name[len(prefix) + 1 :]
    return name


# ---------------------------------------------------------------- motion edits


def _parts(entry: dict) -> list[tuple[str, dict]]:
    return [(p, entry[p]) for p in ("left", "right", "both", "body") if entry.get(p)]


def key_times(motion: dict) -> list[float]:
    return [float(k["t"]) for k in motion["keys"]]


def first_move_time(motion: dict) -> float:
    """The time of the key before the first one that changes anything."""
    times = key_times(motion)
    for i, k in enumerate(motion["keys"]):
        if any(v for _, v in _parts(k)):
            return times[i - 1] if i > 0 else 0.0
    return 0.0


def scale_fault(motion: dict, params, m: float, intervals) -> None:
    """Scale the fault's parameters about their good-form value, inside the fault intervals."""
    for part, name, ref in params:
        for where in [motion.get("base", {})]:
            parts = [part] if part != "both" else ["both", "left", "right"]
            for p in parts:
                if name in (where.get(p) or {}) and any(s <= 0.0 for s, _ in intervals):
                    where[p][name] = ref + m * (float(where[p][name]) - ref)
        for k in motion["keys"]:
            t = float(k["t"])
            if not any(s - 1e-6 <= t <= e + 1e-6 for s, e in intervals):
                continue
            parts = [part] if part != "both" else ["both", "left", "right"]
            for p in parts:
                if name in (k.get(p) or {}):
                    k[p][name] = ref + m * (float(k[p][name]) - ref)


def peak_value(motion: dict, name: str) -> float:
    """Largest |value| of a parameter (knee_open_deg counts as -knee_in_deg)."""
    best = 0.0
    entries = [motion.get("base", {})] + motion["keys"]
    for e in entries:
        for _, d in _parts(e):
            for n, v in d.items():
                if n == name or (name == "knee_in_deg" and n == "knee_open_deg"):
                    best = max(best, abs(float(v)))
    return best


def scale_amplitude(
    motion: dict, name: str, k: float, skip: set[tuple[int, str]], ref: float = 0.0
) -> None:
    """Scale a parameter in the keys by ``k`` about ``ref``."""
    for i, e in enumerate(motion["keys"]):
        for p, d in _parts(e):
            for n in list(d):
                if (n == name or (name == "knee_in_deg" and n == "knee_open_deg")) and (
                    i,
                    p,
                ) not in skip:
                    d[n] = float(d[n]) * k if not ref else ref + (float(d[n]) - ref) * k


def rest_value(motion: dict, name: str) -> float:
    """The parameter's value in the motion's ``base`` (per side over ``both``; 0 if unset)."""
    base = motion.get("base", {})
    values = {
        float((base.get(p) or {}).get(name, (base.get("both") or {}).get(name, 0.0)))
        for p in ("left", "right")
    }
    if len(values) != 1:
        raise ValueError(f"{motion.get('clip')}: {name} rests at {sorted(values)} on the two sides")
    return values.pop()


def mirror(motion: dict) -> None:
    """Mirror the motion left <-> right (a reflection across the body's midline plane)."""

    def flip_part(d: dict) -> dict:
        return {n: (-float(v) if n in MIRROR_NEGATE else v) for n, v in d.items()}

    for e in [motion.get("base", {})] + motion["keys"]:
        left, right = e.get("left"), e.get("right")
        e.pop("left", None)
        e.pop("right", None)
        if right:
            e["left"] = flip_part(right)
        if left:
            e["right"] = flip_part(left)
        for p in ("both", "body"):
            if e.get(p):
                e[p] = flip_part(e[p])
    for f in motion.get("faults", []):
        f["side"] = {"left": "right", "right": "left"}.get(f["side"], f["side"])
    reps = motion.get("expected", {}).get("reps")
    if reps:
        motion["expected"]["reps"] = {"left": reps.get("right", 0), "right": reps.get("left", 0)}
    mirror_camera(motion)
    for prop in motion.get("props", []) or []:
        prop["at_m"] = [-prop["at_m"][0], *prop["at_m"][1:]]
        if "rot_deg" in prop:
            rot = prop["rot_deg"]
            prop["rot_deg"] = [rot[0], -rot[1], -rot[2]]
    if motion.get("mat", {}).get("x"):
        motion["mat"]["x"] = -motion["mat"]["x"]


def mirror_camera(motion: dict) -> None:
    cam = motion["camera"]
    cam["azimuth_deg"] = -cam.get("azimuth_deg", 0.0)
    cam["target"] = [-cam["target"][0], *cam["target"][1:]]
    view = cam.get("view", "")
    cam["view"] = (
        view.replace("left", "@").replace("right", "left").replace("@", "right")
        if ("left" in view or "right" in view)
        else view
    )


def warp_time(motion: dict, onset_s: float, speed: float, quick_factor: float | None) -> None:
    """Movement starts at ``onset_s``; later intervals last ``speed`` times as long (quick
    segments of speed-fault templates ``quick_factor`` times). Fault times follow."""
    old = key_times(motion)
    t_move = first_move_time(motion)
    new = []
    for i, t in enumerate(old):
        if t <= t_move:
            new.append(t * onset_s / t_move if t_move > 0 else t)
        else:
            dt = t - old[i - 1]
            f = quick_factor if (quick_factor is not None and dt <= 0.55) else speed
            new.append(new[-1] + dt * f)
    if t_move == 0.0:  # hold still for onset_s first
        new = [t + onset_s for t in new]
        old = [-1e-9, *old]
        new = [0.0, *new]
        motion["keys"].insert(0, {"t": 0.0})

    def remap(t: float) -> float:
        if t <= old[0]:
            return max(0.0, new[0] + (t - old[0]))
        for (a, b), (na, nb) in zip(zip(old, old[1:]), zip(new, new[1:]), strict=False):
            if a <= t <= b:
                return na if b == a else na + (t - a) * (nb - na) / (b - a)
        return new[-1] + (t - old[-1]) * speed

    for k, t in zip(motion["keys"], new, strict=True):
        k["t"] = round(t, 3)
    for f in motion.get("faults", []):
        f["start_s"] = round(remap(float(f["start_s"])), 2)
        f["end_s"] = round(remap(float(f["end_s"])), 2)
    if "duration_s" in motion:
        motion["duration_s"] = round(remap(float(motion["duration_s"])), 2)


def min_quick_interval(motion: dict, name: str) -> tuple[float, float]:
    """(shortest quick segment in s, the largest change of ``name`` over such a segment)."""
    state: dict[tuple[str, str], float] = {}
    best_dt, best_delta = math.inf, 0.0
    prev_t = None
    for k in motion["keys"]:
        t = float(k["t"])
        for p, d in _parts(k):
            for n, v in d.items():
                nn, vv = (name, -float(v)) if n == "knee_open_deg" else (n, float(v))
                if nn != name:
                    continue
                before = state.get((p, nn), 0.0)
                if prev_t is not None and t - prev_t <= 0.55 and abs(vv - before) > 1:
                    best_dt = min(best_dt, t - prev_t)
                    best_delta = max(best_delta, abs(vv - before))
                state[(p, nn)] = vv
        prev_t = t
    return best_dt, best_delta


# ---------------------------------------------------------------- the plan


def clip_seed(master: int, i: int) -> int:
    return int(hashlib.sha256(f"posecheck-bench-{master}-{i}".encode()).hexdigest()[:8], 16)


def stretch_and_body(i: int) -> tuple[str, bodies.Body]:
    """The stretch and the body of clip number ``i`` (the three sets' numbering rules)."""
    if i >= SECOND_DEV_FROM:
        j = i - SECOND_DEV_FROM
        body = bodies.SECOND_DEV[j % len(bodies.SECOND_DEV)]
        first = len(SECOND_DEV_ROM_FIRST) * len(bodies.SECOND_DEV)
        if j < first:
            return SECOND_DEV_ROM_FIRST[j % len(SECOND_DEV_ROM_FIRST)], body
        return STRETCHES[(j - first) % len(STRETCHES)], body
    stretch = STRETCHES[i % len(STRETCHES)]
    if i >= SECOND_TEST_FROM:
        return stretch, bodies.SECOND_TEST[(i - SECOND_TEST_FROM) % len(bodies.SECOND_TEST)]
    return stretch, bodies.BODIES[i % len(bodies.BODIES)]


def plan_clip(i: int, master: int, templates: dict[str, list[dict]]) -> dict:
    stretch, body = stretch_and_body(i)
    seed = clip_seed(master, i)
    rng = random.Random(seed)
    pool = templates[stretch]
    goods = [t for t in pool if not t["faults"]]
    faults = [t for t in pool if t["faults"]]
    if rng.random() < 0.35 or not faults:
        template = rng.choice(goods)
    else:  # faults the spec checks three times as often as those it leaves unchecked
        checked_ids = checked_faults(stretch)
        weights = [3 if {f["fault"] for f in t["faults"]} & checked_ids else 1 for t in faults]
        template = rng.choices(faults, weights=weights)[0]
    motion = copy.deepcopy(template)
    name_t = motion.pop("_template")
    gen: dict = {"index": i, "master_seed": master, "seed": seed, "template": name_t}
    checked = checked_faults(stretch)

    # fault magnitude (template coordinates, before mirroring and time warping)
    near_misses = []
    fault_ids = {f["fault"] for f in motion["faults"]}
    ratio = None
    if name_t in FAULT_SCALE and fault_ids & checked:
        params, threshold = FAULT_SCALE[name_t]
        ratio = rng.uniform(0.55, min(2.0, 1.5 / threshold))
        m = ratio * threshold
        scale_fault(motion, params, m, [(f["start_s"], f["end_s"]) for f in motion["faults"]])
        gen["fault_magnitude"] = round(m, 3)
    # amplitude (skipping the keys the fault scaling owns)
    amp = AMPLITUDE.get(stretch)
    if (
        amp
        and name_t not in SPEED_FAULTS
        and not any(n == amp[0] for n in [p[1] for p in FAULT_SCALE.get(name_t, ([], 0))[0]])
    ):
        name, (lo, hi) = amp
        peak = peak_value(motion, name)
        if stretch in AMPLITUDE_OWN_STREAM:
            ref = rest_value(motion, name)
            if peak > ref:
                k = (random.Random(f"amplitude-{seed}").uniform(lo, hi) - ref) / (peak - ref)
                scale_amplitude(motion, name, k, set(), ref)
                gen["amplitude_factor"] = round(k, 3)
        elif peak > 0:
            k = rng.uniform(lo, hi) / peak
            scale_amplitude(motion, name, k, set())
            gen["amplitude_factor"] = round(k, 3)
    gen["rom_peak_deg"] = round(peak_value(motion, amp[0]), 1) if amp else None
    # working side
    mirrored = motion["posture"] not in NO_MIRROR_POSTURES and rng.random() < 0.5
    if mirrored:
        mirror(motion)
    gen["mirrored"] = mirrored
    gen["first_side"] = first_side(motion)
    # timing
    onset = rng.uniform(0.5, 3.0)
    quick = None
    if name_t in SPEED_FAULTS:
        speed = 1.0
        pname, line = SPEED_FAULTS[name_t]
        dt, delta = min_quick_interval(motion, pname)
        # peak speed 1.5 * delta / (dt * quick): both sides of the line
        ratio = rng.uniform(0.55, 2.0)
        quick = max(0.5, 1.5 * delta / (dt * line * ratio))
        ratio = 1.5 * delta / (dt * quick) / line
        gen["fault_magnitude"] = round(1.0 / quick, 3)
    else:
        speed = rng.choice([rng.uniform(0.75, 0.95), rng.uniform(1.05, 1.4)])
        # at most MAX_CLIP_S long: slow versions of the long templates are capped
        span = key_times(motion)[-1] - first_move_time(motion)
        if span > 0 and onset + span * speed > MAX_CLIP_S:
            speed = (MAX_CLIP_S - onset) / span
    warp_time(motion, onset, speed, quick)
    gen.update(onset_s=round(onset, 2), speed_factor=round(speed, 3))
    if ratio is not None:
        gen["fault_ratio"] = round(ratio, 3)
        if ratio < 1.0:
            near_misses = [dict(f, ratio=round(ratio, 3)) for f in motion["faults"]]
            motion["faults"] = [f for f in motion["faults"] if f["fault"] not in fault_ids]
    motion["near_misses"] = near_misses
    # camera
    cam = motion["camera"]
    base_az = cam.get("azimuth_deg", 0.0)
    d_az = rng.uniform(-25.0, 25.0)
    other_side = motion["posture"] in SIDE_VIEWS_MIRROR and rng.random() < 0.5
    if other_side:
        mirror_camera(motion)
    kind = rng.choice(list(LENSES))
    lens = rng.uniform(*LENSES[kind])
    d0 = cam.get("distance_m", 2.0) * lens / cam.get("lens_mm", 26.0)  # same framing
    d_dist = rng.uniform(-0.5, 0.5)
    d_h = rng.uniform(-0.3, 0.3)
    cam["azimuth_deg"] = round(cam["azimuth_deg"] + d_az, 1)
    cam["distance_m"] = round(max(1.2, d0 + d_dist), 2)
    cam["height_m"] = round(max(0.25, cam.get("height_m", 1.0) + d_h), 2)
    cam["roll_deg"] = round(rng.uniform(-4.0, 4.0), 1)
    cam["lens_mm"] = round(lens, 1)
    gen["camera"] = {
        "template_azimuth_deg": base_az,
        "azimuth_dev_deg": round(d_az, 1),
        "height_dev_m": round(d_h, 2),
        "distance_dev_m": round(d_dist, 2),
        "other_side": other_side,  # mirrored back (see camera_on_other_side)
        "kind": kind,
    }
    # appearance
    eth = {"african": body.african, "asian": body.asian, "caucasian": body.caucasian}
    total = sum(eth.values())
    skin = [sum(SKIN[e][c] * w / total for e, w in eth.items()) for c in range(3)]
    skin = [round(min(1.0, max(0.0, c * rng.uniform(0.9, 1.1))), 3) for c in skin]
    motion["clothes"] = {
        "skin": skin,
        "shirt": list(rng.choice(PALETTE["shirt"])),
        "pants": list(rng.choice(PALETTE["pants"])),
        "socks": list(rng.choice(PALETTE["socks"])),
        "hair": list(rng.choice(PALETTE["hair"])),
        "leggings": rng.random() < 0.5,
    }
    mat = dict(motion.get("mat") or {})
    mat["color"] = list(rng.choice(PALETTE["mat"]))
    motion["mat"] = mat
    motion["room"] = {
        "floor": list(rng.choice(PALETTE["floor"])),
        "wall": list(rng.choice(PALETTE["wall"])),
        "studio_light": rng.choice(STUDIO_LIGHTS),
        "light_rotate_deg": round(rng.uniform(-180, 180), 1),
        "shadow_intensity": round(rng.uniform(0.2, 0.6), 2),
        "shadow_direction": [
            round(rng.uniform(-0.6, 0.6), 2),
            round(rng.uniform(-0.6, 0.6), 2),
            round(rng.uniform(0.5, 0.9), 2),
        ],
    }
    # identity
    variant = variant_of({"_template": name_t, "stretch": stretch})
    if near_misses:
        variant = "near_" + variant
    clip = f"r{i:04d}_{stretch}_{variant}_{body.id}"
    motion["clip"] = clip
    motion["body"] = bodies.motion_body(body)
    motion["description"] = (
        f"Benchmark clip {i} (seed {seed}) from template {name_t}"
        + (", mirrored to the other side" if mirrored else "")
        + f". Body {body.id}: {body.describe()}. "
        + (motion.get("description") or "").strip()
    )
    gen["split"] = body.split
    gen["body"] = body.id
    gen["variant"] = variant
    motion["generation"] = gen
    return motion


def first_side(motion: dict) -> str | None:
    """The side whose leg moves first in the keys (``None`` when no leg moves on its own)."""
    state: dict[tuple[str, str], float] = {}
    for e in [motion.get("base", {})] + motion["keys"]:
        for p in ("left", "right"):
            for n, v in (e.get(p) or {}).items():
                if n.startswith(("hip_", "knee_", "ankle_offset")) and e is not motion.get("base"):
                    if abs(float(v) - state.get((p, n), 0.0)) > 1e-6:
                        return p
                state[(p, n)] = float(v)
    return None


def working_side(truth: dict) -> str:
    """``left`` or ``right`` when only one side works in the clip, else ``both``."""
    reps = truth.get("expected", {}).get("reps", {})
    sides = [s for s in ("left", "right") if reps.get(s)]
    return sides[0] if len(sides) == 1 else "both"


# ---------------------------------------------------------------- running

INDEX_COLUMNS = [
    "clip",
    "stretch",
    "variant",
    "body",
    "split",
    "seed",
    "template",
    "working_side",
    "first_side",
    "mirrored",
    "camera_azimuth_deg",
    "camera_azimuth_dev_deg",
    "camera_other_side",
    "camera_height_m",
    "camera_distance_m",
    "camera_roll_deg",
    "lens_mm",
    "camera_kind",
    "onset_s",
    "speed_factor",
    "rom_peak_deg",
    "fault_ratio",
    "faults",
    "near_misses",
    "duration_s",
    "frames",
]


def read_truth(path: Path) -> dict:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def camera_on_other_side(truth: dict) -> bool:
    """Whether the camera stands on the other side of the body than the template's view.

    Mirroring a motion mirrors its camera too, which puts it on the body's other side; the
    camera may then be mirrored back (``generation.camera.other_side``)."""
    gen = truth["generation"]
    if truth["posture"] not in SIDE_VIEWS_MIRROR:
        return False
    return bool(gen["mirrored"]) != bool(gen["camera"]["other_side"])


def index_row(truth: dict) -> dict:
    gen = truth["generation"]
    cam = truth["camera"]
    return {
        "clip": truth["clip"],
        "stretch": truth["stretch"],
        "variant": gen["variant"],
        "body": truth["body"],
        "split": gen["split"],
        "seed": gen["seed"],
        "template": gen["template"],
        "working_side": working_side(truth),
        "first_side": gen.get("first_side") or "",
        "mirrored": int(gen["mirrored"]),
        "camera_azimuth_deg": cam["azimuth_deg"],
        "camera_azimuth_dev_deg": gen["camera"]["azimuth_dev_deg"],
        "camera_other_side": int(camera_on_other_side(truth)),
        "camera_height_m": cam["height_m"],
        "camera_distance_m": cam["distance_m"],
        "camera_roll_deg": cam.get("roll_deg", 0.0),
        "lens_mm": round(cam["lens_mm"], 1),
        "camera_kind": gen["camera"]["kind"],
        "onset_s": gen["onset_s"],
        "speed_factor": gen["speed_factor"],
        "rom_peak_deg": gen.get("rom_peak_deg") if gen.get("rom_peak_deg") is not None else "",
        "fault_ratio": gen.get("fault_ratio", ""),
        "faults": ";".join(f"{f['fault']}:{f['side']}" for f in truth["faults"]),
        "near_misses": ";".join(f"{f['fault']}:{f['side']}" for f in truth.get("near_misses", [])),
        "duration_s": round(len(truth["frames"]) / truth["fps"], 1),
        "frames": len(truth["frames"]),
    }


_index_lock = threading.Lock()


def write_index() -> int:
    """Rewrite index.csv from the clips that have both a truth file and a recording."""
    rows = []
    for path in sorted(CLIPS.glob("*.truth.json.gz")):
        name = path.name[: -len(".truth.json.gz")]
        if (CLIPS / f"{name}.pose.json.gz").exists():
            rows.append(index_row(read_truth(path)))
    with _index_lock:
        tmp = INDEX.with_suffix(".csv.tmp")
        with open(tmp, "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=INDEX_COLUMNS, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
        os.replace(tmp, INDEX)
    return len(rows)


def compact_truth(src: Path, dst: Path) -> None:
    data = json.loads(src.read_text())
    tmp = dst.with_name(dst.name + ".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=9) as fh:
        json.dump(data, fh, separators=(",", ":"))
    os.replace(tmp, dst)
    src.unlink()


def run_clip(motion: dict, blender: str, nice: int, python: str, aa: str = "5") -> str:
    name = motion["clip"]
    rec = CLIPS / f"{name}.pose.json.gz"
    truth = CLIPS / f"{name}.truth.json.gz"
    mp4 = CACHE / f"{name}.mp4"
    if rec.exists():
        return "done"
    t0 = time.time()
    if not (truth.exists() and mp4.exists()):
        yml = CACHE / f"{name}.yaml"
        yml.write_text(yaml.safe_dump(motion, sort_keys=False, width=120))
        log = CACHE / f"{name}.log"
        with open(log, "w") as fh:
            res = subprocess.run(
                ["nice", "-n", str(nice), blender, "-b", "-t", "1", "-P",
                 str(HERE / "render_clip.py"), "--", str(yml), str(CACHE), "--aa", aa],
                stdout=fh, stderr=subprocess.STDOUT, check=False,
            )  # fmt: skip
        plain = CACHE / f"{name}.truth.json"
        if res.returncode != 0 or not plain.exists() or not mp4.exists():
            return f"render FAILED (see {log})"
        compact_truth(plain, truth)
    res = subprocess.run(
        ["nice", "-n", str(nice), python, str(ROOT / "benchmarks" / "record.py"), str(mp4),
         "--out", str(rec), "--quiet"],
        check=False,
    )  # fmt: skip
    if res.returncode != 0 or not rec.exists():
        return "record FAILED"
    return f"ok in {time.time() - t0:.0f} s"


def parse_range(text: str | None, count: int) -> list[int]:
    if not text:
        return list(range(count))
    out: list[int] = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        out.extend(range(int(a), int(b or a) + 1))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=416, help="clips in the plan (default 416)")
    ap.add_argument("--only", help="clip numbers, e.g. 0-51 or 3,7")
    ap.add_argument("-j", "--jobs", type=int, default=1, help="Blender processes (1 or 2)")
    ap.add_argument("--master-seed", type=int, default=11)
    ap.add_argument("--nice", type=int, default=10)
    ap.add_argument("--blender", default="blender")
    ap.add_argument("--python", default=str(ROOT / ".venv" / "bin" / "python"))
    ap.add_argument(
        "--aa", default="FXAA", help="Workbench anti-aliasing: 8, 5, FXAA (default) or OFF"
    )
    ap.add_argument("--plan", action="store_true", help="print the plan, render nothing")
    ap.add_argument("--index", action="store_true", help="only rewrite index.csv")
    args = ap.parse_args()
    CLIPS.mkdir(parents=True, exist_ok=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    if args.index:
        print(f"index.csv: {write_index()} clips")
        return 0
    templates = load_templates()
    plan = [plan_clip(i, args.master_seed, templates) for i in parse_range(args.only, args.count)]
    if args.plan:
        for m in plan:
            g = m["generation"]
            print(
                f"{m['clip']:<70} {g['split']:<4} faults "
                f"{[(f['fault'], f['side']) for f in m['faults']]} near {len(m['near_misses'])} "
                f"az {m['camera']['azimuth_deg']} lens {m['camera']['lens_mm']}"
            )
        return 0
    # A clip number is rendered once: the plan of a number can change under a running set (the
    # share of faults a spec leaves unchecked weighs the fault choice), and its old clip stays.
    done_numbers = {p.name.split("_", 1)[0] for p in CLIPS.glob("r*.pose.json.gz")}
    todo = [m for m in plan if m["clip"].split("_", 1)[0] not in done_numbers]
    print(f"{len(plan) - len(todo)} of {len(plan)} clips done; {len(todo)} to go", flush=True)

    def one(m: dict) -> None:
        status = run_clip(m, args.blender, args.nice, args.python, args.aa)
        n = write_index()
        print(f"{time.strftime('%H:%M:%S')} {m['clip']}: {status} ({n} indexed)", flush=True)

    with ThreadPoolExecutor(max_workers=max(1, min(2, args.jobs))) as pool:
        list(pool.map(one, todo))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
