"""A correction learned from the benchmark's dev split (``rom.correction``, issue #12).

The seated twist reports its trunk turn times a learned scale (MediaPipe's depth reads a
turn seen from the front short). The correction touches the reported number only: the
``turn`` measure that the faults and the position read stays raw.
"""

from __future__ import annotations

import math

import pytest

from posecheck.errors import SpecError
from posecheck.specs.schema import SPEC_DIR, RomCorrection, load_by_id, parse_spec
from tests.helpers import benchmark_rom_error_deg, run_checker
from tests.test_catalogue import SCENARIOS, _clean_frames, _fault_keys, _frames

TWIST_ID = "seated_internal_rotation_twist"


def _raw(spec):
    """The spec without its learned correction."""
    return spec.model_copy(update={"rom": spec.rom.model_copy(update={"correction": None})})


def test_correction_by_hand() -> None:
    c = RomCorrection(scale=1.5, offset_deg=-2.0, why="by hand")
    assert c.apply(10.0) == pytest.approx(13.0)
    assert c.apply(0.0) == pytest.approx(-2.0)
    assert math.isnan(c.apply(math.nan))
    spec = load_by_id(TWIST_ID)
    assert spec.rom is not None and spec.rom.correction is not None
    assert spec.rom.reported(20.0) == pytest.approx(20.0 * spec.rom.correction.scale)
    assert _raw(spec).rom.reported(20.0) == 20.0


def test_scale_before_start_by_hand() -> None:
    """A reading before the start (one photo) takes ``scale_before_start`` where given."""
    c = RomCorrection(scale=1.1, scale_before_start=1.5, offset_deg=1.0, why="by hand")
    assert c.apply(10.0) == pytest.approx(12.0)
    assert c.apply(10.0, started=False) == pytest.approx(16.0)
    plain = RomCorrection(scale=1.1, why="by hand")
    assert plain.apply(10.0, started=False) == pytest.approx(11.0)


def test_scale_before_start_needs_a_start_or_number() -> None:
    """Only a ``start_or`` number has a reading before its start: elsewhere it is refused."""
    text = (SPEC_DIR / f"{TWIST_ID}.yaml").read_text(encoding="utf-8")
    old = "  measure: turn_for_rom\n"
    bad = text.replace(old, "  measure: turn\n")
    assert bad != text
    with pytest.raises(SpecError, match="scale_before_start"):
        parse_spec(bad, TWIST_ID)


def test_correction_needs_its_why() -> None:
    with pytest.raises(ValueError, match="why"):
        RomCorrection(scale=1.3)  # type: ignore[call-arg]


def test_twist_reports_the_scaled_turn_from_a_synthetic_body() -> None:
    """Exact 3D: the reported best is the learned scale times the raw reading."""
    spec = load_by_id(TWIST_ID)
    sc = SCENARIOS[TWIST_ID]
    frames = _clean_frames(sc, 30.0, reps=False)
    raw = dict(run_checker(_raw(spec), frames).summary.best_rom_deg)
    scaled = dict(run_checker(spec, frames).summary.best_rom_deg)
    for side in sc.sides:
        assert raw[side] == pytest.approx(30.0, abs=3.5)
        assert scaled[side] == pytest.approx(spec.rom.correction.scale * raw[side], abs=0.01)


def test_faults_read_the_raw_turn() -> None:
    """A 5 degree turn (raw reading 4-7) is 'no rotation' (line 8 on the raw turn), also
    with a scale (1.9) that reports it past the line: the correction is for the number only."""
    spec = load_by_id(TWIST_ID)
    big = RomCorrection(scale=1.9, why="test")
    spec = spec.model_copy(update={"rom": spec.rom.model_copy(update={"correction": big})})
    sc = SCENARIOS[TWIST_ID]
    case = next(c for c in sc.faults if c.fault_id == "no_rotation")
    keys, onset_s, end_s = _fault_keys(sc, case, "right", 5.0)
    run = run_checker(spec, _frames(sc, keys))
    assert run.fault_ids() == {"no_rotation"}
    reported = [
        dict(r.rom_deg)["right"] for r in run.results if onset_s <= r.t_ms / 1000.0 <= end_s
    ]
    assert sorted(reported)[len(reported) // 2] > 8.0  # the number says past the line


def test_twist_replayed_r2021_reads_closer_with_the_correction() -> None:
    """Dev r2021 (body b23, true turn up to 49): the raw reading (the larger of the turn
    since the start and against the hips, session 14) reads 8.6 off on average in position,
    scaled 1.12 about 6."""
    spec = load_by_id(TWIST_ID)
    raw = benchmark_rom_error_deg(_raw(spec), "r2021_seated_internal_rotation_twist_good_b23", 50)
    scaled = benchmark_rom_error_deg(spec, "r2021_seated_internal_rotation_twist_good_b23", 50)
    assert raw == pytest.approx(8.6, abs=0.3)
    assert scaled < raw - 2.0


def test_twist_replayed_r0112_is_a_known_under_read() -> None:
    """Dev r0112 (body b01, camera 25 degrees round, true turn up to 44): both turns read
    16-17 for a true 27, so the larger of the two x1.12 reads short: 8.1 off on average in
    position, -2.5 signed (the turn against the hips x1.42 read 5.7 before session 14).
    Pinned so that a change that mends or worsens it says so."""
    spec = load_by_id(TWIST_ID)
    clip = "r0112_seated_internal_rotation_twist_good_b01"
    assert benchmark_rom_error_deg(spec, clip, 50) == pytest.approx(8.1, abs=0.3)
    assert benchmark_rom_error_deg(spec, clip, 50, signed=True) < -2.0
