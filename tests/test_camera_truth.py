"""The benchmark's true camera (``benchmarks/accuracy.py``), by hand: seen from the hips."""

from __future__ import annotations

import gzip
import json
import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from accuracy import true_camera_deg


def _truth(
    tmp_path: Path, pelvis_x_m: float, posture: str = "standing", aim_y_m: float = 0.0
) -> Path:
    """A truth file whose camera the renderer placed 20 degrees round toward world +X from
    the point it aims at (``aim_y_m`` along world Y from the hips' start), 3 m away on the
    floor plane and 1.2 m high; the hips 0.9 m high."""
    az = math.radians(20.0)
    data = {
        "posture": posture,
        "camera": {
            "azimuth_deg": 20.0,
            "distance_m": 3.0,
            "height_m": 1.2,
            "position_m": [3.0 * math.sin(az), aim_y_m - 3.0 * math.cos(az), 1.2],
            "look_at_m": [0.0, aim_y_m, 0.8],
        },
        "frames": [{"pelvis_height_m": 0.9, "body": {"pelvis_x_m": pelvis_x_m, "pelvis_y_m": 0.0}}],
    }
    path = tmp_path / "clip.truth.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        json.dump(data, fh)
    return path


def test_a_body_where_the_camera_aims_sees_the_renderers_azimuth(tmp_path: Path) -> None:
    az, el = true_camera_deg(_truth(tmp_path, 0.0))
    assert az == pytest.approx(20.0)
    assert el == pytest.approx(math.degrees(math.atan2(0.3, 3.0)))


def test_a_body_off_to_one_side_sees_the_camera_from_its_own_place(tmp_path: Path) -> None:
    """A band walk starts 0.6 m toward world -X: from the hips the camera stands further
    round toward +X (and further away) than from the point the renderer aims at."""
    x, y = 3.0 * math.sin(math.radians(20.0)) + 0.6, 3.0 * math.cos(math.radians(20.0))
    az, el = true_camera_deg(_truth(tmp_path, -0.6))
    assert az == pytest.approx(math.degrees(math.atan2(x, y)))  # about 30, not 20
    assert az > 29.0
    assert el == pytest.approx(math.degrees(math.atan2(0.3, math.hypot(x, y))))
    # face down the renderer's +X is the person's right: the app's azimuth turns round
    prone_az, _ = true_camera_deg(_truth(tmp_path, -0.6, "prone"))
    assert prone_az == pytest.approx(-az)


def test_a_camera_aimed_ahead_of_the_hips_is_seen_from_the_hips(tmp_path: Path) -> None:
    """Session 14: the renderer aims a seated camera 0.2 m ahead of the hips (toward the
    feet, world -Y); from the hips it stands less far round than the renderer's 20 (the
    truth read 20 before, the renderer's angle about the point it aims at)."""
    x, y = 3.0 * math.sin(math.radians(20.0)), 3.0 * math.cos(math.radians(20.0)) + 0.2
    az, el = true_camera_deg(_truth(tmp_path, 0.0, "seated", aim_y_m=-0.2))
    assert az == pytest.approx(math.degrees(math.atan2(x, y)))  # about 18.8
    assert az < 19.0
    assert el == pytest.approx(math.degrees(math.atan2(0.3, math.hypot(x, y))))
