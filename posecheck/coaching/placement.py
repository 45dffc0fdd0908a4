"""The camera-placement picture: a top-down sketch of the mat, the body and the camera.

Drawn with OpenCV from the spec's ``camera`` fields (view, distance, height, azimuth) and its
``position`` words (lying on the back / face down / side, sitting, standing), to scale: one
metre is the same length everywhere in the picture. Returns an RGB image for the app.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from posecheck.specs.schema import Camera, StretchSpec

BG = (250, 250, 247)
MAT = (200, 225, 235)
BODY = (120, 120, 120)
HEAD = (150, 150, 150)
CAMERA = (30, 90, 200)
CONE = (150, 185, 235)
TEXT = (40, 40, 40)
LEFT_MARK = (30, 130, 60)

ToPx = Callable[[tuple[float, float]], tuple[int, int]]  # metres -> pixels
MAT_WIDTH_M = 0.6


@dataclass(frozen=True)
class Layout:
    """Where things are in the top-down world (metres; x right, y down the page)."""

    posture: str  # supine | prone | side_lying | seated | standing
    head_m: tuple[float, float]
    feet_m: tuple[float, float]
    hips_m: tuple[float, float]
    camera_m: tuple[float, float]
    left_is_page_right: bool  # where the person's left side is, seen from above


def posture_of(position: str) -> str:
    """Map a spec's ``position`` words to a posture for the sketch."""
    p = position.lower()
    if "face down" in p or "prone" in p or "front" in p:
        return "prone"
    if "side" in p and "lying" in p:
        return "side_lying"
    if "back" in p or "supine" in p or "lying" in p:
        return "supine"
    if "sit" in p or "kneel" in p:
        return "seated"
    if "hands and knees" in p or "tabletop" in p:
        return "prone"
    return "standing"


def layout(camera: Camera, position: str) -> Layout:
    """Body and camera positions, metres. The body lies along the page, head at the top."""
    posture = posture_of(position)
    lying = posture in ("supine", "prone", "side_lying")
    if lying:
        head, hips, feet = (0.0, -0.8), (0.0, 0.05), (0.0, 0.95)
    elif posture == "seated":  # seen from above: torso a short oval, legs forward (down page)
        head, hips, feet = (0.0, -0.05), (0.0, 0.0), (0.0, 0.95)
    else:  # standing: a figure seen from above, facing down the page
        head, hips, feet = (0.0, 0.0), (0.0, 0.0), (0.0, 0.25)
    # Seen from above, a face-up body has its left on the page's right (as when facing you).
    left_is_page_right = posture in ("supine", "seated", "standing")
    d = camera.distance_m
    view = camera.view
    if view in ("feet_end", "feet_end_diagonal"):
        az = math.radians(camera.azimuth_deg if view == "feet_end_diagonal" else 0.0)
        toward_left = 1.0 if left_is_page_right else -1.0
        cam = (feet[0] + toward_left * d * math.sin(az), feet[1] + d * math.cos(az))
    elif view == "side":
        # Beside the hips, on the person's left (either side works; the sketch picks one).
        cam = (hips[0] + (d if left_is_page_right else -d), hips[1])
    elif view == "front":
        if posture == "side_lying":  # lying on the left side facing the page's right
            cam = (hips[0] + d, hips[1])
        elif lying:
            cam = (head[0], head[1] - d)
        else:
            cam = (hips[0], hips[1] + d)
    else:  # above
        cam = hips
    return Layout(posture, head, feet, hips, cam, left_is_page_right)


def _text(img: np.ndarray, text: str, org: tuple[int, int], scale: float, colour: tuple) -> None:
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, 1, cv2.LINE_AA)


def draw_placement(spec: StretchSpec, width_px: int = 520, height_px: int = 420) -> np.ndarray:
    """The placement sketch as an RGB uint8 image of ``height_px`` x ``width_px``."""
    cam = spec.camera
    lay = layout(cam, spec.position)
    pts = [lay.head_m, lay.feet_m, lay.camera_m, (-0.5, -1.0), (0.5, 1.1)]
    if cam.view == "above":
        pts.append((1.3, 0.0))  # room for the label
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    legend_px = 58
    span_x, span_y = max(xs) - min(xs) + 0.9, max(ys) - min(ys) + 0.7
    scale = min(width_px / span_x, (height_px - legend_px) / span_y)  # px per metre
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2

    def px(p: tuple[float, float]) -> tuple[int, int]:
        return (
            round(width_px / 2 + (p[0] - cx) * scale),
            round((height_px - legend_px) / 2 + (p[1] - cy) * scale),
        )

    img = np.full((height_px, width_px, 3), BG, np.uint8)
    m = 1.0 * scale
    # The mat (a yoga mat is about 1.8 m x 0.6 m).
    if lay.posture != "standing":
        a, b = px((-MAT_WIDTH_M / 2, -0.95)), px((MAT_WIDTH_M / 2, 1.0))
        cv2.rectangle(img, a, b, MAT, -1)
    _draw_body(img, lay, px, m)
    _draw_camera(img, lay, px, m, cam)
    # Distance line and labels.
    target = lay.feet_m if cam.view.startswith("feet_end") else lay.hips_m
    if cam.view != "above":
        p1, p2 = px(target), px(lay.camera_m)
        cv2.line(img, p1, p2, CAMERA, 1, cv2.LINE_AA)
        # The label sits beside the line's outer third, clear of the body.
        lx, ly = p1[0] + (p2[0] - p1[0]) * 0.62, p1[1] + (p2[1] - p1[1]) * 0.62
        dx, dy = p2[0] - p1[0], p2[1] - p1[1]
        norm = math.hypot(dx, dy) or 1.0
        ox, oy = -dy / norm * 14, dx / norm * 14
        if ox < 0:
            ox, oy = -ox, -oy
        _text(img, f"{cam.distance_m:.1f} m", (int(lx + ox), int(ly + oy + 5)), 0.5, CAMERA)
    view_words = {
        "side": "from the side",
        "front": "from the front",
        "feet_end": "from beyond the feet",
        "feet_end_diagonal": f"beyond the feet, {abs(cam.azimuth_deg):.0f} deg to one side",
        "above": "from above",
    }
    y0 = height_px - legend_px + 20
    _text(img, f"Camera {view_words[cam.view]}", (10, y0), 0.5, TEXT)
    _text(
        img,
        f"Lens {cam.height_m:.1f} m above the floor, {cam.distance_m:.1f} m away. Top-down view.",
        (10, y0 + 22),
        0.45,
        TEXT,
    )
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def _draw_body(img: np.ndarray, lay: Layout, px: ToPx, m: float) -> None:
    t = max(2, int(0.09 * m))
    if lay.posture in ("supine", "prone", "side_lying"):
        shoulders_y, hips_y = lay.head_m[1] + 0.22, lay.hips_m[1]
        sw = 0.05 if lay.posture == "side_lying" else 0.2
        hw = 0.04 if lay.posture == "side_lying" else 0.12
        torso = np.array(
            [px((-sw, shoulders_y)), px((sw, shoulders_y)), px((hw, hips_y)), px((-hw, hips_y))],
            np.int32,
        )
        cv2.fillPoly(img, [torso], BODY, cv2.LINE_AA)
        for sx in (-1, 1):
            knee = (sx * 0.1, hips_y + 0.45)
            foot = (sx * 0.1, lay.feet_m[1])
            cv2.line(img, px((sx * hw * 0.7, hips_y)), px(knee), BODY, t, cv2.LINE_AA)
            cv2.line(img, px(knee), px(foot), BODY, t, cv2.LINE_AA)
            hand = (sx * (sw + 0.06), hips_y - 0.05)
            cv2.line(img, px((sx * sw, shoulders_y)), px(hand), BODY, max(2, t // 2), cv2.LINE_AA)
        cv2.circle(img, px(lay.head_m), int(0.11 * m), HEAD, -1, cv2.LINE_AA)
        hip_y = hips_y
        half = MAT_WIDTH_M / 2 + 0.1
    else:
        cv2.ellipse(
            img, px(lay.hips_m), (int(0.22 * m), int(0.1 * m)), 0, 0, 360, BODY, -1, cv2.LINE_AA
        )
        if lay.posture == "seated":
            for sx in (-1, 1):
                cv2.line(
                    img, px((sx * 0.1, 0.0)), px((sx * 0.1, lay.feet_m[1])), BODY, t, cv2.LINE_AA
                )
        else:
            for sx in (-1, 1):
                cv2.ellipse(
                    img,
                    px((sx * 0.1, 0.12)),
                    (int(0.05 * m), int(0.09 * m)),
                    0,
                    0,
                    360,
                    BODY,
                    -1,
                    cv2.LINE_AA,
                )
        cv2.circle(img, px(lay.head_m), int(0.1 * m), HEAD, -1, cv2.LINE_AA)
        hip_y = lay.hips_m[1]
        half = 0.42
    if lay.posture == "side_lying":  # seen from above, one side is on top of the other
        return
    # Which side is the person's left.
    lx = half if lay.left_is_page_right else -half
    cv2.putText(
        img,
        "L",
        px((lx - 0.04, hip_y + 0.05)),
        cv2.FONT_HERSHEY_SIMPLEX,
        0.55,
        LEFT_MARK,
        2,
        cv2.LINE_AA,
    )
    cv2.putText(
        img,
        "R",
        px((-lx - 0.04, hip_y + 0.05)),
        cv2.FONT_HERSHEY_SIMPLEX,
        0.55,
        LEFT_MARK,
        2,
        cv2.LINE_AA,
    )


def _draw_camera(img: np.ndarray, lay: Layout, px: ToPx, m: float, cam: Camera) -> None:
    c = np.array(px(lay.camera_m), float)
    if cam.view == "above":
        r = int(0.14 * m)
        cv2.circle(img, tuple(int(v) for v in c), r, CAMERA, 2, cv2.LINE_AA)
        cv2.circle(img, tuple(int(v) for v in c), r // 3, CAMERA, -1, cv2.LINE_AA)
        org = px((MAT_WIDTH_M / 2 + 0.2, lay.hips_m[1] + 0.02))
        _text(img, "camera overhead", org, 0.5, CAMERA)
        return
    aim = np.array(px(lay.hips_m), float)
    d = aim - c
    n = float(np.linalg.norm(d)) or 1.0
    u = d / n
    v = np.array([-u[1], u[0]])
    # Field-of-view cone toward the body (about 60 degrees wide, 1.2 m long).
    reach = min(n, 1.2 * m)
    half = math.tan(math.radians(30)) * reach
    cone = np.array([c, c + u * reach + v * half, c + u * reach - v * half], np.int32)
    overlay = img.copy()
    cv2.fillPoly(overlay, [cone], CONE, cv2.LINE_AA)
    cv2.addWeighted(overlay, 0.45, img, 0.55, 0, dst=img)
    # The camera body: a small box with a lens toward the body.
    s = max(8, int(0.12 * m))
    corners = np.array(
        [c - u * s + v * s * 0.8, c + u * s * 0.4 + v * s * 0.8, c + u * s * 0.4 - v * s * 0.8],
        float,
    )
    box = np.array([*corners, c - u * s - v * s * 0.8], np.int32)
    cv2.fillPoly(img, [box], CAMERA, cv2.LINE_AA)
    cv2.circle(img, tuple(int(x) for x in c + u * s * 0.6), max(3, s // 3), CAMERA, -1)
    label = (int(c[0] - 30), int(c[1] + s + 18))
    label = (min(max(label[0], 4), img.shape[1] - 70), min(label[1], img.shape[0] - 64))
    _text(img, "camera", label, 0.5, CAMERA)
