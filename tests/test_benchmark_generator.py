"""The benchmark generator's plan (tools/render/generate.py), without Blender."""

from __future__ import annotations

import copy
import csv
import importlib.util
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ASSETS = Path(
    os.environ.get("POSECHECK_MAKEHUMAN_DIR") or ROOT.parent / "shared" / "assets" / "makehuman"
)


def _load(name: str):
    sys.path.insert(0, str(ROOT / "tools" / "render"))
    try:
        spec = importlib.util.spec_from_file_location(name, ROOT / "tools/render" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.pop(0)


gen = _load("generate")
bodies = _load("bodies")
TEMPLATES = gen.load_templates()


def test_plan_is_reproducible_and_round_robin():
    first = [gen.plan_clip(i, 11, TEMPLATES) for i in range(26)]
    again = [gen.plan_clip(i, 11, TEMPLATES) for i in range(26)]
    assert first == again
    assert [m["stretch"] for m in first[:13]] == list(gen.STRETCHES)
    assert sorted(gen.STRETCHES) == sorted(p.stem for p in (ROOT / "stretch_specs").glob("*.yaml"))
    assert len({m["clip"] for m in first}) == 26


def test_camera_stays_within_the_issue_ranges():
    for i in range(60):
        m = gen.plan_clip(i, 11, TEMPLATES)
        cam = m["generation"]["camera"]
        assert abs(cam["azimuth_dev_deg"]) <= 25.0
        assert abs(cam["height_dev_m"]) <= 0.3
        assert abs(cam["distance_dev_m"]) <= 0.5
        assert abs(m["camera"]["roll_deg"]) <= 4.0
        assert 0.5 <= m["generation"]["onset_s"] <= 3.0


def test_near_misses_are_good_form_and_named_so():
    plans = [gen.plan_clip(i, 11, TEMPLATES) for i in range(120)]
    near = [m for m in plans if m["near_misses"]]
    assert near, "the plan has no near misses"
    for m in near:
        assert m["generation"]["fault_ratio"] < 1.0
        assert m["generation"]["variant"].startswith("near_")
        ids = {f["fault"] for f in m["near_misses"]}
        assert not ids & {f["fault"] for f in m["faults"]}
    over = [m for m in plans if m["generation"].get("fault_ratio", 0) >= 1.0]
    assert over and all(m["faults"] for m in over)


def test_mirroring_twice_gives_the_motion_back():
    for templates in TEMPLATES.values():
        m = copy.deepcopy(templates[0])
        twice = copy.deepcopy(m)
        gen.mirror(twice)
        gen.mirror(twice)
        assert twice == m


def test_mirroring_swaps_sides_and_negates_lateral_parameters():
    m = {
        "camera": {"azimuth_deg": -45, "target": [0.1, 0, 0], "view": "feet_diag45_left"},
        "base": {"left": {"knee_in_deg": 30}, "body": {"pelvis_roll_deg": 10}},
        "keys": [{"t": 0, "right": {"ankle_offset_x_m": 0.1}}],
        "faults": [{"fault": "x", "side": "left", "start_s": 0, "end_s": 1}],
        "expected": {"reps": {"left": 2, "right": 0}},
    }
    gen.mirror(m)
    assert m["base"] == {"right": {"knee_in_deg": 30}, "body": {"pelvis_roll_deg": -10.0}}
    assert m["keys"][0] == {"t": 0, "left": {"ankle_offset_x_m": -0.1}}
    assert m["faults"][0]["side"] == "right"
    assert m["expected"]["reps"] == {"left": 0, "right": 2}
    assert m["camera"] == {"azimuth_deg": 45, "target": [-0.1, 0, 0], "view": "feet_diag45_right"}


def test_time_warp_starts_the_movement_at_the_onset_and_moves_faults_along():
    m = {
        "keys": [
            {"t": 0},
            {"t": 1.0},
            {"t": 3.0, "left": {"knee_in_deg": 35}},
            {"t": 5.0},
            {"t": 6.0, "left": {"knee_in_deg": 0}},
        ],
        "faults": [{"fault": "x", "side": "left", "start_s": 1.0, "end_s": 6.0}],
    }
    gen.warp_time(m, onset_s=2.5, speed=2.0, quick_factor=None)
    assert [k["t"] for k in m["keys"]] == [0.0, 2.5, 6.5, 10.5, 12.5]
    assert (m["faults"][0]["start_s"], m["faults"][0]["end_s"]) == (2.5, 12.5)


def test_speed_faults_straddle_the_line():
    ratios = []
    for i in range(416):
        if gen.STRETCHES[i % 13] not in ("clamshell", "supine_knee_drop", "standing_band_rotation"):
            continue
        g = gen.plan_clip(i, 11, TEMPLATES)["generation"]
        if g["template"] in gen.SPEED_FAULTS:
            ratios.append(g["fault_ratio"])
    assert min(ratios) < 1.0 < max(ratios)


@pytest.mark.skipif(not ASSETS.is_dir(), reason="the shared MakeHuman assets are not here")
def test_bodies_use_existing_targets_and_both_splits():
    assert len(bodies.BODIES) >= 10
    assert {b.split for b in bodies.BODIES} == {"dev", "test"}
    assert len({b.id for b in bodies.ALL_BODIES}) == len(bodies.ALL_BODIES)
    for body in bodies.ALL_BODIES:
        targets = bodies.targets(body)
        assert targets
        for name, weight in targets:
            assert (ASSETS / name).is_file(), name
            assert 0 < weight <= 1.0
        ethnic = sum(w for n, w in targets if n.count("/") == 1 and "universal" not in n)
        assert ethnic == pytest.approx(1.0, abs=0.01)


def test_cross_ankle_amplitude_spans_the_range_and_leaves_the_rest_of_the_plan():
    stretch = "seated_cross_ankle_rotation"
    numbers = [i for i in range(416) if gen.STRETCHES[i % len(gen.STRETCHES)] == stretch]
    plans = [gen.plan_clip(i, 11, TEMPLATES) for i in numbers]
    peaks = [m["generation"]["rom_peak_deg"] for m in plans]
    factors = [m["generation"]["amplitude_factor"] for m in plans]
    assert all(15.0 <= p <= 45.0 for p in peaks)
    assert min(peaks) < 20.0 and max(peaks) > 40.0, peaks
    assert min(factors) < 0.6 and max(factors) > 1.2, factors
    for i, m in zip(numbers, plans, strict=True):
        # the peak is the crossed hip's largest abduction (the truth's thigh opening) ...
        assert m["generation"]["rom_peak_deg"] == round(gen.peak_value(m, "hip_abduction_deg"), 1)
        # ... scaled about the resting 5 deg, which the uncrossed legs keep
        last = {}
        for key in m["keys"]:
            for side in ("left", "right"):
                last[side] = (key.get(side) or {}).get("hip_abduction_deg", last.get(side, 5.0))
        assert last == {"left": pytest.approx(5.0), "right": pytest.approx(5.0)}
        # the amplitude has its own random stream: camera, timing and looks are as planned
        # before the amplitude was added (only the keys differ)
        without = dict(gen.AMPLITUDE)
        without.pop(stretch)
        old = _plan_with_amplitude(i, without)
        assert {k: v for k, v in m.items() if k not in ("keys", "generation")} == {
            k: v for k, v in old.items() if k not in ("keys", "generation")
        }


def _plan_with_amplitude(i: int, amplitude: dict) -> dict:
    saved = gen.AMPLITUDE
    gen.AMPLITUDE = amplitude
    try:
        return gen.plan_clip(i, 11, TEMPLATES)
    finally:
        gen.AMPLITUDE = saved


def test_the_second_test_set_gives_new_test_bodies_every_stretch_and_leaves_the_first_plan():
    """Clip numbers from SECOND_TEST_FROM show the second test set's bodies, each of them every
    stretch once in 65 numbers; numbers below keep the first plan's bodies."""
    start = gen.SECOND_TEST_FROM
    plans = [gen.plan_clip(i, 11, TEMPLATES) for i in range(start, start + 65)]
    seen = {(p["stretch"], p["body"]["id"]) for p in plans}
    new_ids = {b.id for b in bodies.SECOND_TEST}
    assert len(seen) == 65 and {b for _, b in seen} == new_ids
    assert {p["generation"]["split"] for p in plans} == {"test"}
    assert not new_ids & {b.id for b in bodies.BODIES}
    first = gen.plan_clip(16, 11, TEMPLATES)
    assert first["body"]["id"] == bodies.BODIES[0].id


def test_the_second_dev_set_plans_the_rom_stretches_first_on_every_new_body():
    """Numbers from SECOND_DEV_FROM show the second dev set's bodies: first every stretch with a
    ROM number on every new body once, then the 13 stretches in turn (every pair once in 52)."""
    start = gen.SECOND_DEV_FROM
    new_ids = {b.id for b in bodies.SECOND_DEV}
    rom_first = len(gen.SECOND_DEV_ROM_FIRST) * len(new_ids)
    plans = [gen.plan_clip(i, 11, TEMPLATES) for i in range(start, start + rom_first)]
    pairs = {(p["stretch"], p["body"]["id"]) for p in plans}
    assert pairs == {(s, b) for s in gen.SECOND_DEV_ROM_FIRST for b in new_ids}
    assert [p["stretch"] for p in plans[:9]] == list(gen.SECOND_DEV_ROM_FIRST)
    assert set(gen.SECOND_DEV_ROM_FIRST) == set(gen.AMPLITUDE)  # the stretches with a ROM
    assert all(p["generation"]["rom_peak_deg"] is not None for p in plans)
    assert {p["generation"]["split"] for p in plans} == {"dev"}
    rest = [gen.stretch_and_body(i) for i in range(start + rom_first, start + rom_first + 52)]
    assert {(s, b.id) for s, b in rest} == {(s, b) for s in gen.STRETCHES for b in new_ids}
    others = {b.id for b in bodies.BODIES + bodies.SECOND_TEST}
    assert not new_ids & others and {b.split for b in bodies.SECOND_DEV} == {"dev"}


def test_each_new_dev_body_goes_past_the_old_dev_bodies_on_some_slider():
    """The second dev set is there for what the first lacks: each of its bodies lies outside the
    range of the eleven old dev bodies on at least one slider."""
    old = [b for b in bodies.BODIES if b.split == "dev"]
    sliders = ("gender", "age", "muscle", "weight", "height", "proportions")
    for body in bodies.SECOND_DEV:
        outside = [
            s
            for s in sliders
            if not min(getattr(b, s) for b in old)
            <= getattr(body, s)
            <= max(getattr(b, s) for b in old)
        ]
        assert outside, f"{body.id} lies inside the old dev bodies' range on every slider"


def test_the_rendered_clips_keep_their_number_s_stretch_body_and_seed():
    """Adding a set leaves the plan of every clip already rendered: its number still gives the
    stretch, body, split and seed in index.csv (the first 416 and the second test set)."""
    with open(ROOT / "benchmarks" / "data" / "index.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 447
    for row in rows:
        i = int(row["clip"][1:5])
        stretch, body = gen.stretch_and_body(i)
        assert (stretch, body.id, body.split) == (row["stretch"], row["body"], row["split"])
        assert str(gen.clip_seed(11, i)) == row["seed"], row["clip"]
