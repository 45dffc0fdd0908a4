"""Draws the skeleton and a heads-up display on a frame (OpenCV, no other dependencies).

Joints involved in an active fault are red; others green; unknown joints are not drawn. With
other people in view, amber corner brackets and "Coaching this person" mark whom the cues are
for.
The HUD shows the stretch, working side, hold timer toward the target, reps and the cue, all in
the top part of the picture: a video player's own controls (play, seek, full screen) sit over
the bottom of the video, so nothing is drawn there but the skeleton. ``mirror=True`` shows
the picture as a mirror does (the skeleton flipped with it; the words still read left to
right, and left and right stay the person's own).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import cv2
import numpy as np

from posecheck.coaching.checker import CheckResult
from posecheck.coaching.feedback import Cue
from posecheck.coaching.wording import reps_words
from posecheck.pose.landmarks import LANDMARK_NAMES, SKELETON, PoseFrame, index_of
from posecheck.specs.schema import StretchSpec

if TYPE_CHECKING:
    from posecheck.coaching.pipeline import Step
    from posecheck.coaching.session import Coaching

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
    scale = max(1, round(min(image.shape[:2]) / 480))
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


FOLLOWED_TEXT = "Coaching this person"


def mark_followed(image: np.ndarray, frame: PoseFrame, min_visibility: float) -> None:
    """With other people in view, corner brackets round the person coaching follows and a
    label over them, so everyone can see whom the cues are for."""
    pose = frame.pose
    if pose is None or frame.others_in_view <= 0:
        return
    h, w = image.shape[:2]
    k = min(h, w) / 480
    seen = pose.image_xy[pose.visibility >= min_visibility]
    if len(seen) < 2:
        return
    pad = int(12 * k)
    x0, y0 = (int(v) - pad for v in seen.min(axis=0))
    x1, y1 = (int(v) + pad for v in seen.max(axis=0))
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w - 1, x1), min(h - 1, y1)
    arm = max(int(24 * k), min(x1 - x0, y1 - y0) // 5)
    thick = max(2, int(3 * k))
    for cx, cy, dx, dy in ((x0, y0, 1, 1), (x1, y0, -1, 1), (x0, y1, 1, -1), (x1, y1, -1, -1)):
        cv2.line(image, (cx, cy), (cx + dx * arm, cy), AMBER, thick, cv2.LINE_AA)
        cv2.line(image, (cx, cy), (cx, cy + dy * arm), AMBER, thick, cv2.LINE_AA)
    # The label beside the body, half-way down: clear of the HUD at the top and of a
    # player's controls at the bottom.
    scale = 0.6 * k
    (tw, th), _ = cv2.getTextSize(FOLLOWED_TEXT, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)
    gap = int(8 * k)
    tx = x1 + gap if x1 + gap + tw < w else max(0, x0 - gap - tw)
    _text(image, FOLLOWED_TEXT, (tx, (y0 + y1 + th) // 2), scale, AMBER, 2)


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


def _wrap(text: str, max_width_px: int, scale: float, thickness: int) -> list[str]:
    """Words into lines no wider than ``max_width_px`` at this font scale."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        width = cv2.getTextSize(trial, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)[0][0]
        if line and width > max_width_px:
            lines.append(line)
            line = word
        else:
            line = trial
    if line:
        lines.append(line)
    return lines


def _fit(
    text: str, max_width_px: int, scale: float, min_scale: float, thickness: int, max_lines: int
) -> tuple[list[str], float]:
    """The largest scale from ``scale`` down to ``min_scale`` at which the text wraps into at
    most ``max_lines`` lines (at ``min_scale`` it may take more)."""
    s = scale
    while True:
        lines = _wrap(text, max_width_px, s, thickness)
        if len(lines) <= max_lines or s <= min_scale:
            return lines, s
        s = max(min_scale, s * 0.9)


def _line_height(scale: float) -> int:
    return int(34 * scale)


def rom_words(label: str, rom_deg: tuple[tuple[str, float], ...]) -> str | None:
    """ "hip internal rotation: left 16, right 21 degrees": sizes only (a reading past the
    start position the other way is a size too, never a negative angle); None when unknown.
    The word, not "deg" (an abbreviation) nor "°" (the Hershey fonts are ASCII only)."""
    vals = [f"{side} {abs(v):.0f}" for side, v in rom_deg if v == v]
    if not vals:
        return None
    return f"{label}: " + ", ".join(vals) + " degrees"


def draw_hud(
    image: np.ndarray,
    spec: StretchSpec,
    result: CheckResult,
    cue: Cue,
    coaching: Coaching | None = None,
) -> None:
    """The HUD, scaled to the frame's shorter side so it reads the same on a landscape
    webcam picture and a portrait phone clip: reps and the range of motion at the top, a big
    hold timer (or countdown) at the top right, and the cue right under them, wrapped (the
    bottom of the picture is left to the player's controls)."""
    h, w = image.shape[:2]
    k = min(h, w) / 480
    pad = int(10 * k)
    small = 0.75 * k
    big = 1.25 * k
    # Top band: stretch, reps, ROM on the left; the big timer on the right.
    headline = coaching.headline if coaching is not None else ""
    # The hold bar: live, the session's own value (the page shows the same one); a replay
    # (no session) times every hold.
    progress = coaching.hold_progress if coaching is not None else None
    if coaching is None and spec.dose.kind == "hold":  # a replay: every hold is timed
        headline = f"{result.hold_s:.0f} / {spec.dose.hold_s:.0f} s"
        progress = min(1.0, result.hold_s / spec.dose.hold_s) if spec.dose.hold_s else None
    progress = progress if headline else None
    head_w = cv2.getTextSize(headline, cv2.FONT_HERSHEY_SIMPLEX, big, 3)[0][0] if headline else 0
    portrait = w < h or head_w > w * 0.4
    lines = [f"Reps: {reps_words(result.reps)}"]
    if spec.rom is not None:
        words = rom_words(spec.rom.label, result.rom_deg)
        if words:
            lines.append(words)
    text_w = w - 2 * pad if portrait else int(w - head_w - 4 * pad)
    wrapped = [ln for line in lines for ln in _wrap(line, text_w, small, 2)]
    top_h = pad + len(wrapped) * _line_height(small) + pad
    if portrait and headline:
        top_h += _line_height(big) + pad
    y = pad + int(24 * k)
    org = (0, 0)
    if headline:
        below_text = y + len(wrapped) * _line_height(small) + int(12 * k)
        org = (pad, below_text) if portrait else (w - head_w - pad, pad + int(40 * k))
        if progress is not None:
            top_h = max(top_h, org[1] + int(16 * k) + pad)  # the hold bar under the timer
    # The cue, large, wrapped over up to three lines, right under the top band.
    cue_lines, cue_scale = _fit(cue.text, w - 2 * pad, 1.0 * k, 0.7 * k, 2, 3)
    band = pad + len(cue_lines) * _line_height(cue_scale) + pad
    _darken(image[: min(h, top_h + band), :])
    for line in wrapped:
        _text(image, line, (pad, y), small, WHITE, 2)
        y += _line_height(small)
    if headline:
        colour = GREEN if headline == "Hold complete" else WHITE
        _text(image, headline, org, big, colour, 3)
        if progress is not None:
            bar_w = max(head_w, int(120 * k))
            x0 = min(org[0], w - pad - bar_w)  # a short headline ("3"): the bar stays in
            y0 = org[1] + int(8 * k)
            cv2.rectangle(image, (x0, y0), (x0 + bar_w, y0 + int(8 * k)), GREY, 1)
            cv2.rectangle(
                image,
                (x0, y0),
                (x0 + int(bar_w * progress), y0 + int(8 * k)),
                GREEN if progress >= 1 else AMBER,
                -1,
            )
    # The countdown into the set: one big number in the middle (not while the wrong-exercise
    # notice shows: the page shows no number then either).
    if (
        coaching is not None
        and coaching.phase == "countdown"
        and coaching.countdown
        and not coaching.wrong_exercise
    ):
        number = str(coaching.countdown)
        scale = 5.0 * k
        tw, th = cv2.getTextSize(number, cv2.FONT_HERSHEY_SIMPLEX, scale, 8)[0]
        _text(image, number, ((w - tw) // 2, (h + th) // 2), scale, WHITE, 8)
    y = top_h + pad + int(24 * cue_scale)
    for line in cue_lines:
        _text(image, line, (pad, y), cue_scale, _CUE_COLOURS.get(cue.kind, WHITE), 2)
        y += _line_height(cue_scale)


def annotate(
    image: np.ndarray,
    frame: PoseFrame,
    spec: StretchSpec,
    result: CheckResult,
    cue: Cue,
    coaching: Coaching | None = None,
    *,
    mirror: bool = False,
) -> np.ndarray:
    """A copy of ``image`` with skeleton and HUD drawn on it; ``mirror``: flipped left to
    right first, as a mirror shows it, with the skeleton flipped along and the text not."""
    out = np.ascontiguousarray(image[:, ::-1]) if mirror else image.copy()
    if mirror and frame.pose is not None:
        pose = frame.pose
        xy = np.array(pose.image_xy)
        xy[:, 0] = image.shape[1] - 1 - xy[:, 0]
        frame = replace(frame, pose=replace(pose, image_xy=xy))
    red = frozenset(n for f in result.active_faults for n in f.landmarks)
    draw_skeleton(out, frame, spec.min_visibility, red)
    draw_hud(out, spec, result, cue, coaching)
    mark_followed(out, frame, spec.min_visibility)
    return out


def annotate_step(
    image: np.ndarray,
    step: Step,
    spec: StretchSpec,
    coaching: Coaching | None = None,
    mirror: bool = False,
) -> np.ndarray:
    """:func:`annotate` for one pipeline step: the drawing hook of the live processor and of
    an analysed file's annotated video."""
    return annotate(image, step.pose_frame, spec, step.result, step.cue, coaching, mirror=mirror)
