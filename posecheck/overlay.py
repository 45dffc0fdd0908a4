"""Draws the skeleton and a heads-up display on a frame (OpenCV, no other dependencies).

Joints involved in an active fault are red; others green; unknown joints are not drawn.
The HUD shows the stretch, working side, hold timer toward the target, reps and the cue.
"""

from __future__ import annotations

import cv2
import numpy as np

from posecheck.checker import CheckResult
from posecheck.feedback import Cue
from posecheck.landmarks import LANDMARK_NAMES, SKELETON, PoseFrame, index_of
from posecheck.spec import StretchSpec

GREEN = (80, 200, 80)
RED = (40, 40, 230)
WHITE = (255, 255, 255)
AMBER = (0, 190, 255)
GREY = (160, 160, 160)
_CUE_COLOURS = {"fault": RED, "unknown": AMBER, "no_person": AMBER, "positive": GREEN}


def draw_skeleton(
    image: np.ndarray, frame: PoseFrame, min_visibility: float, red: frozenset[str] = frozenset()
) -> None:
    pose = frame.pose
    if pose is None:
        return
    scale = max(1, round(image.shape[0] / 480))
    pts = pose.image_xy
    vis = pose.visibility >= min_visibility
    for a, b in SKELETON:
        ia, ib = index_of(a), index_of(b)
        if vis[ia] and vis[ib]:
            colour = RED if a in red and b in red else GREEN
            p1 = tuple(int(v) for v in pts[ia])
            p2 = tuple(int(v) for v in pts[ib])
            cv2.line(image, p1, p2, colour, 2 * scale, cv2.LINE_AA)
    for i in range(len(pts)):
        if vis[i] and i not in range(1, 11):  # face points are clutter; the nose stays
            colour = RED if LANDMARK_NAMES[i] in red else WHITE
            cv2.circle(image, tuple(int(v) for v in pts[i]), 4 * scale, colour, -1, cv2.LINE_AA)


def _darken(region: np.ndarray) -> None:
    """Halve the brightness in place (an integer shift: cheap enough for every frame)."""
    np.right_shift(region, 1, out=region)


def _text(
    image: np.ndarray,
    text: str,
    org: tuple[int, int],
    scale: float,
    colour: tuple[int, int, int],
    thickness: int = 1,
) -> None:
    cv2.putText(
        image, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thickness + 3, cv2.LINE_AA
    )
    cv2.putText(image, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, thickness, cv2.LINE_AA)


def draw_hud(image: np.ndarray, spec: StretchSpec, result: CheckResult, cue: Cue) -> None:
    h, w = image.shape[:2]
    k = h / 480
    _darken(image[: int(74 * k), :])
    side = result.working_side or "-"
    _text(image, spec.name, (int(10 * k), int(22 * k)), 0.6 * k, WHITE, 1)
    reps = "  ".join(f"{s[0].upper()}:{n}" for s, n in result.reps)
    _text(image, f"side {side}   reps {reps}", (int(10 * k), int(46 * k)), 0.55 * k, WHITE, 1)
    if spec.dose.kind == "hold":
        target = spec.dose.hold_s
        frac = min(1.0, result.hold_s / target) if target else 0.0
        x0, y0, bw, bh = int(w - 230 * k), int(12 * k), int(210 * k), int(16 * k)
        cv2.rectangle(image, (x0, y0), (x0 + bw, y0 + bh), GREY, 1)
        cv2.rectangle(
            image, (x0, y0), (x0 + int(bw * frac), y0 + bh), GREEN if frac >= 1 else AMBER, -1
        )
        _text(
            image,
            f"hold {result.hold_s:4.1f} / {target:.0f} s",
            (x0, int(46 * k)),
            0.55 * k,
            WHITE,
            1,
        )
    if spec.rom is not None:
        vals = [f"{s[0].upper()} {v:4.0f}" for s, v in result.rom_deg if v == v]
        if vals:
            _text(
                image,
                f"{spec.rom.label}: " + "  ".join(vals) + " deg",
                (int(10 * k), int(68 * k)),
                0.5 * k,
                WHITE,
                1,
            )
    # The cue, large, at the bottom.
    colour = _CUE_COLOURS.get(cue.kind, WHITE)
    _darken(image[int(h - 48 * k) :, :])
    # One measurement at scale 1 gives the scale that fits the width (text width is linear).
    width_at_1 = cv2.getTextSize(cue.text, cv2.FONT_HERSHEY_SIMPLEX, 1.0, 2)[0][0]
    scale = max(0.35 * k, min(0.8 * k, (w - 20) / max(width_at_1, 1)))
    _text(image, cue.text, (int(10 * k), int(h - 16 * k)), scale, colour, 2)


def annotate(
    image: np.ndarray, frame: PoseFrame, spec: StretchSpec, result: CheckResult, cue: Cue
) -> np.ndarray:
    """A copy of ``image`` with skeleton and HUD drawn on it."""
    out = image.copy()
    red = frozenset(n for f in result.active_faults for n in f.landmarks)
    draw_skeleton(out, frame, spec.min_visibility, red)
    draw_hud(out, spec, result, cue)
    return out
