"""What is drawn on the video: the HUD keeps clear of the player's controls at the bottom, and
the mirror view flips the picture and the skeleton but not the words."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from posecheck.coaching.feedback import Cue
from posecheck.coaching.session import Coaching
from posecheck.overlay import annotate, rom_words
from posecheck.pose.landmarks import PoseFrame, index_of
from posecheck.specs.schema import load_by_id
from tests.test_live import result, standing_pose

PRONE = load_by_id("prone_internal_rotation")
LONG_CUE = Cue(
    "Keep both hip bones on the floor: press the front of your pelvis down into the mat "
    "while the foot swings out, and breathe out slowly.",
    "fault",
    4,
    None,
)
#: How much of the video's height a player's controls cover, at most: Chromium's bar is about
#: 48 px; a 640x480 video 358 px wide on a phone is 268 px high (18 %).
CONTROLS_SHARE = 0.22


def coaching(headline: str = "12 / 30 s") -> Coaching:
    return Coaching(0.0, "coaching", LONG_CUE, headline, 12.0, 30.0, None, (), False)


@pytest.mark.parametrize("size", [(480, 640), (854, 480), (720, 1280), (240, 320)])
def test_nothing_but_the_skeleton_is_drawn_where_player_controls_sit(
    size: tuple[int, int],
) -> None:
    h, w = size
    grey = np.full((h, w, 3), 128, np.uint8)
    frame = PoseFrame(0, 0.0, w, h, None)
    out = annotate(grey, frame, PRONE, result(), LONG_CUE, coaching())
    bottom = out[int(h * (1 - CONTROLS_SHARE)) :]
    assert (bottom == 128).all(), "text or shading in the bottom band"
    assert (out[: h // 2] != 128).any(), "the cue is drawn somewhere above"


def test_the_mirror_view_flips_the_picture_and_skeleton_but_not_the_words() -> None:
    pose = standing_pose()
    frame = PoseFrame(0, 0.0, 640, 480, pose)
    picture = np.zeros((480, 640, 3), np.uint8)
    picture[:, :320] = (0, 0, 200)  # the camera's left half is red
    plain = annotate(picture, frame, PRONE, result(), LONG_CUE, coaching())
    mirrored = annotate(picture, frame, PRONE, result(), LONG_CUE, coaching(), mirror=True)
    # The picture is flipped: the red half is now on the right (below the HUD).
    row = 400
    assert (mirrored[row, 600] == (0, 0, 200)).all() and (plain[row, 40] == (0, 0, 200)).all()
    # The skeleton follows the picture: the person's left ankle is drawn at the mirrored place.
    x, y = pose.image_xy[index_of("left_ankle")]
    assert (mirrored[int(y), int(639 - x)] == 255).all()  # a white joint
    # The words are not mirrored: on the same background (no skeleton) the text is identical.
    nobody = PoseFrame(0, 0.0, 640, 480, None)
    black = np.zeros_like(picture)
    plain_bg = annotate(black, nobody, PRONE, result(), LONG_CUE, coaching())
    mirror_bg = annotate(black, nobody, PRONE, result(), LONG_CUE, coaching(), mirror=True)
    assert (plain_bg != 0).any() and (plain_bg == mirror_bg).all()


def test_no_hold_timer_on_the_video_while_the_session_shows_none() -> None:
    """While "this does not look like ..." shows (or before the 3-2-1), nothing is timed, so
    the video shows no "0 / 30 s" either; a replay (no session) shows the hold timer."""
    grey = np.full((480, 640, 3), 128, np.uint8)
    frame = PoseFrame(0, 0.0, 640, 480, None)
    short = Cue("Hi.", "step", 1, None)
    wrong = Coaching(0.0, "coaching", short, "", 0.0, 30.0, None, (), True)
    live = annotate(grey, frame, PRONE, result(), short, wrong)
    top_right = (slice(0, 60), slice(400, 640))
    assert (live[top_right] == 64).all(), "a timer drawn while nothing is timed"
    replay = annotate(grey, frame, PRONE, result(), short)
    assert (replay[top_right] != 64).any()


def test_the_person_coaching_follows_is_marked_only_when_others_are_in_view() -> None:
    from dataclasses import replace

    from posecheck.overlay import AMBER

    grey = np.full((480, 640, 3), 128, np.uint8)
    alone = PoseFrame(0, 0.0, 640, 480, standing_pose())
    crowd = replace(alone, others_in_view=1, followed="on the left of the picture")
    plain = annotate(grey, alone, PRONE, result(), LONG_CUE)
    marked = annotate(grey, crowd, PRONE, result(), LONG_CUE)
    amber = np.all(marked == AMBER, axis=2) & ~np.all(plain == AMBER, axis=2)
    assert amber.sum() > 200  # brackets and the label
    _ys, xs = np.nonzero(amber)
    seen = alone.pose.image_xy[alone.pose.visibility >= PRONE.min_visibility]
    assert xs.min() <= seen[:, 0].min() and xs.max() >= seen[:, 0].max()  # round the person


def hud_bar(image: np.ndarray) -> float | None:
    """The hold bar drawn on a frame: its filled share, or None when there is none (its grey
    outline is the only long grey line in the top half of a plain grey-128 picture)."""
    from posecheck.overlay import AMBER, GREEN, GREY

    top = image[: image.shape[0] // 2]
    filled = np.all(top == AMBER, axis=2) | np.all(top == GREEN, axis=2)
    bar = np.all(top == GREY, axis=2) | filled
    rows = np.nonzero(bar.sum(axis=1) >= 60)[0]  # the outline's top and bottom edges
    if not rows.size:
        return None
    y0, y1 = rows.min(), rows.max()
    xs = np.nonzero(bar[y0])[0]
    return float(filled[(y0 + y1) // 2].sum()) / (xs.max() - xs.min())


def test_the_hold_bar_stays_inside_the_picture_under_a_short_headline() -> None:
    """A short headline ("5 s left"): the bar under it (120 px at 480p) once ran off the
    right edge."""
    from posecheck.overlay import AMBER, GREY

    grey = np.full((480, 640, 3), 128, np.uint8)
    frame = PoseFrame(0, 0.0, 640, 480, None)
    out = annotate(grey, frame, PRONE, result(), LONG_CUE, coaching("3 s left"))
    top = out[:120]
    bar = np.all(top == GREY, axis=2) | np.all(top == AMBER, axis=2)
    cols = np.nonzero(bar.any(axis=0))[0]
    assert cols.size and cols.max() < 640 - 5  # the bar ends inside, with its padding


def test_the_video_and_the_page_show_the_same_hold_bar() -> None:
    """The page's bar is ``Coaching.hold_progress``; the video's bar is drawn from the same
    value of the same frame: none during the 3-2-1 (the video drew an empty one), the same
    fill during a hold."""
    grey = np.full((480, 640, 3), 128, np.uint8)
    frame = PoseFrame(0, 0.0, 640, 480, None)
    countdown = Coaching(0.0, "countdown", LONG_CUE, "3", 0.0, 30.0, 3, (), False)
    assert countdown.hold_progress is None
    assert hud_bar(annotate(grey, frame, PRONE, result(), LONG_CUE, countdown)) is None
    for hold_s in (0.0, 7.5, 15.0, 29.0, 31.0):
        c = Coaching(
            0.0, "coaching", LONG_CUE, f"{hold_s:.0f} / 30 s", hold_s, 30.0, None, (), False
        )
        drawn = hud_bar(annotate(grey, frame, PRONE, result(), LONG_CUE, c))
        assert c.hold_progress == pytest.approx(min(1.0, hold_s / 30.0))
        assert drawn == pytest.approx(c.hold_progress, abs=0.02), (hold_s, drawn)


def test_no_countdown_number_on_the_video_beside_the_wrong_exercise_notice() -> None:
    """flow_desktop_switched.png: a big "1" in the middle of the video while the page said
    "This does not look like ..." and showed no number."""
    grey = np.full((480, 640, 3), 128, np.uint8)
    frame = PoseFrame(0, 0.0, 640, 480, None)
    middle = (slice(180, 330), slice(250, 390))
    right = Coaching(0.0, "countdown", LONG_CUE, "1", 0.0, 30.0, 1, (), False)
    wrong = Coaching(0.0, "countdown", LONG_CUE, "", 0.0, 30.0, 1, (), True)
    assert (annotate(grey, frame, PRONE, result(), LONG_CUE, right)[middle] != 128).any()
    assert (annotate(grey, frame, PRONE, result(), LONG_CUE, wrong)[middle] == 128).all()


def test_the_angle_line_on_the_picture_is_in_words() -> None:
    """Sizes in whole degrees, spelled out (it said "deg"), never a negative angle; a side
    not measured is left out, and nothing measured is no line."""
    assert rom_words("knee drop", (("left", 24.4), ("right", -2.3))) == (
        "knee drop: left 24, right 2 degrees"
    )
    assert rom_words("knee drop", (("left", float("nan")), ("right", 7.6))) == (
        "knee drop: right 8 degrees"
    )
    assert rom_words("knee drop", (("left", float("nan")),)) is None


def test_the_reps_on_the_video_are_the_pages_words(monkeypatch: pytest.MonkeyPatch) -> None:
    """The overlay said "Reps: left 0, right 0" while the page said "L 0 · R 0": both now
    say "none yet", then "2 left, 1 right" (one helper, ``wording.reps_words``)."""
    import posecheck.overlay as overlay

    drawn: list[str] = []
    real = overlay.cv2.putText

    def spy(image, text, *args, **kwargs):
        drawn.append(text)
        return real(image, text, *args, **kwargs)

    monkeypatch.setattr(overlay.cv2, "putText", spy)
    picture = np.zeros((480, 640, 3), np.uint8)
    frame = PoseFrame(0, 0.0, 640, 480, None)
    annotate(picture, frame, PRONE, result(), LONG_CUE, coaching())
    assert "Reps: none yet" in drawn, drawn
    drawn.clear()
    counted = replace(result(), reps=(("left", 2), ("right", 1)))
    annotate(picture, frame, PRONE, counted, LONG_CUE, coaching())
    assert "Reps: 2 left, 1 right" in drawn, drawn
