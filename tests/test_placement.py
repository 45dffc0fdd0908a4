"""The camera-placement picture: drawn for every spec, camera where the spec says."""

from __future__ import annotations

import math

import numpy as np
import pytest

from posecheck.coaching.live import available_specs
from posecheck.coaching.placement import CAMERA, draw_placement, layout, posture_of
from posecheck.specs.schema import Camera, StretchSpec, load_by_id

SPECS, _ = available_specs()


def camera_pixels(img_rgb: np.ndarray) -> np.ndarray:
    """(x, y) of pixels drawn in the camera colour (the picture is RGB, CAMERA is BGR)."""
    target = np.array(CAMERA[::-1])
    mask = (np.abs(img_rgb.astype(int) - target).sum(axis=2) < 12)[:-60]  # not the legend
    ys, xs = np.nonzero(mask)
    return np.stack([xs, ys], axis=1)


def with_camera(spec: StretchSpec, **changes: object) -> StretchSpec:
    return spec.with_camera(**changes)


@pytest.mark.parametrize("spec_id", sorted(SPECS))
def test_every_spec_gets_a_picture(spec_id: str) -> None:
    img = draw_placement(SPECS[spec_id], width_px=400, height_px=320)
    assert img.shape == (320, 400, 3) and img.dtype == np.uint8
    assert len(camera_pixels(img)) > 50, "no camera drawn"
    assert img.std() > 10, "the picture is blank"


@pytest.mark.parametrize(
    ("position", "posture"),
    [
        ("lying face down", "prone"),
        ("lying on your back", "supine"),
        ("lying on your side", "side_lying"),
        ("sitting on the floor, legs straight", "seated"),
        ("kneeling, then sitting between your heels", "seated"),
        ("from hands and knees", "prone"),
        ("standing, band round the ankles", "standing"),
    ],
)
def test_posture_from_position_words(position: str, posture: str) -> None:
    assert posture_of(position) == posture


def test_feet_end_camera_is_distance_beyond_the_feet() -> None:
    cam = Camera(view="feet_end", height_m=0.3, distance_m=2.0, placement="x")
    lay = layout(cam, "lying on your back")
    assert math.dist(lay.camera_m, lay.feet_m) == pytest.approx(2.0)
    assert lay.camera_m[0] == pytest.approx(lay.feet_m[0])  # straight along the body
    assert lay.camera_m[1] > lay.feet_m[1]


@pytest.mark.parametrize(("position", "page_side"), [("lying on your back", 1), ("face down", -1)])
def test_diagonal_camera_turns_toward_the_persons_left(position: str, page_side: int) -> None:
    """Azimuth is toward the person's left: the page's right for a face-up body, seen from
    above, and the page's left for a face-down one."""
    cam = Camera(
        view="feet_end_diagonal", height_m=0.8, distance_m=2.0, azimuth_deg=45, placement="x"
    )
    lay = layout(cam, position)
    dx = lay.camera_m[0] - lay.feet_m[0]
    assert np.sign(dx) == page_side
    assert abs(dx) == pytest.approx(2.0 * math.sin(math.radians(45)))
    assert lay.left_is_page_right == (page_side == 1)


def test_picture_puts_the_camera_on_the_correct_side() -> None:
    spec = load_by_id("prone_internal_rotation")
    img = draw_placement(spec)
    cam_x = camera_pixels(img)[:, 0].mean()
    assert cam_x < img.shape[1] / 2, "prone, 45 deg toward the left: camera on the page's left"
    mirrored = draw_placement(spec.model_copy(update={"position": "lying on your back"}))
    assert camera_pixels(mirrored)[:, 0].mean() > img.shape[1] / 2


def test_side_view_camera_is_level_with_the_hips() -> None:
    cam = Camera(view="side", height_m=0.7, distance_m=2.5, placement="x")
    lay = layout(cam, "lying on your back")
    assert lay.camera_m[1] == pytest.approx(lay.hips_m[1])
    assert abs(lay.camera_m[0] - lay.hips_m[0]) == pytest.approx(2.5)


def test_overhead_camera_sits_over_the_hips() -> None:
    spec = with_camera(load_by_id("supine_knee_drop"), view="above")
    assert layout(spec.camera, spec.position).camera_m == layout(spec.camera, spec.position).hips_m
    img = draw_placement(spec)
    assert len(camera_pixels(img)) > 50
