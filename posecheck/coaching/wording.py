"""Numbers and names in the words a person uses: sizes of angles (never negative), sides in
words, no ids, no developer notes. Used by the app's pages and testable without Streamlit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from posecheck.specs.metrics import toward_side_deg
from posecheck.specs.schema import StretchSpec, Variant

if TYPE_CHECKING:
    from posecheck.body.camera import CameraEstimate

#: What a user reads for faults the camera cannot check, in one line (each spec's ``reason`` is
#: its own plain sentence, shown where there is room; the figures behind it are in ``why``).
NOT_CHECKED_WHY = "the camera cannot see these reliably from here, so check them yourself"


def deg_text(value: float | None) -> str:
    """``-28.4`` -> "28°" (the size); None -> "-"."""
    return "-" if value is None or value != value else f"{abs(value):.0f}°"


def reps_words(
    reps: tuple[tuple[str, int], ...] | dict[str, int], *, finished: bool = False
) -> str:
    """The reps as a person says them, everywhere they are shown (the set summary, the live
    panel, the video's overlay, the replay, the history, its PDF and CSV, the CLI):
    ``(("left", 3), ("right", 2))`` -> "3 left, 2 right"; one count (a stretch done on both
    sides at once) -> "3"; no rep yet -> "none yet", or "none" for a ``finished`` set. ASCII
    only: the overlay's fonts have no other letters."""
    items = list(reps.items()) if isinstance(reps, dict) else list(reps)
    if not any(n for _, n in items):
        return "none" if finished else "none yet"
    if len(items) == 1:
        return str(items[0][1])
    return ", ".join(f"{n} {side}" for side, n in items)


def side_word(side: str | None) -> str:
    """ "left" -> "Left"; None/"none"/"both" -> "" (a whole-body fault has no side)."""
    return side.capitalize() if side in ("left", "right") else ""


def side_cell(side: str | None) -> str:
    """A fault table's side column: "Left", "Right", or "whole body" for a fault of the
    whole body (the head, the trunk, both hips at once), which has no side ("both" read
    as if both legs were at fault)."""
    return side_word(side) or "whole body"


def asymmetry_text(
    best: dict[str, float | None], asymmetry_deg: float | None, uncertainty_deg: float | None
) -> str:
    """What the left/right difference means, in one sentence."""
    left, right = best.get("left"), best.get("right")
    if left is None or right is None or asymmetry_deg is None:
        missing = [s for s, v in (("left", left), ("right", right)) if v is None]
        where = "either side" if len(missing) == 2 else f"the {missing[0]} side"
        return f"No left/right comparison yet: nothing measured on {where}."
    more = "left" if left > right else "right"
    text = (
        f"Your best {more} side went {deg_text(asymmetry_deg)} further than the other "
        f"(left {deg_text(left)}, right {deg_text(right)})."
    )
    if uncertainty_deg is not None and asymmetry_deg <= uncertainty_deg:
        text += (
            f" That is within the ±{uncertainty_deg:.0f}° the camera can tell apart from this "
            "view: treat both sides as the same."
        )
    return text


def unmeasured_side_text(
    spec: StretchSpec, camera: CameraEstimate | None, best: dict[str, float | None]
) -> str | None:
    """Why a side has no number when the camera's place is the reason: the range-of-motion
    measure reads nothing from a camera standing its ``unseen_toward_deg`` or further round
    toward that side (the seated cross-ankle: MediaPipe draws the pressed knee toward the
    midline from there). None when every side has a number or the view is not the reason."""
    if spec.rom is None or camera is None or not camera.known:
        return None
    limit_deg = getattr(spec.measures[spec.rom.measure], "unseen_toward_deg", None)
    if limit_deg is None:
        return None
    toward = {s: toward_side_deg(camera.azimuth_deg, s) for s in ("left", "right")}
    sides = [s for s in ("left", "right") if best.get(s) is None and toward[s] >= limit_deg]
    if not sides:
        return None
    side = sides[0] if len(sides) == 1 else "left" if toward["left"] > 0 else "right"
    what = spec.rom.label.split(" (")[0]  # "crossed knee opening (thigh out ...)"
    return (
        f"No number for the {side} leg: the camera stood about {abs(camera.azimuth_deg):.0f} "
        f"degrees round toward your {side}, and from there that leg's {what} cannot be "
        "measured. A camera straight in front measures both legs."
    )


def not_checked_lines(spec: StretchSpec) -> list[str]:
    """The faults this view cannot check, each as the instruction to check yourself."""
    return [n.message.rstrip(".") for n in spec.not_checked]


def not_checked_sentence(spec: StretchSpec) -> str:
    """One sentence for all of them ("" when the view checks everything)."""
    lines = not_checked_lines(spec)
    if not lines:
        return ""
    items = "; ".join(line[0].lower() + line[1:] for line in lines)
    return f"Not checked from this view ({NOT_CHECKED_WHY}): {items}."


def fault_label(message: str, side: str | None) -> str:
    """ "Left side: Keep the knee in place." or the message alone for a whole-body fault."""
    word = side_word(side)
    return f"{word} side: {message}" if word else message


def variant_cue_text(variant: Variant) -> str:
    """ "Upright pigeon: when you are ready, walk your hands forward ..." from the spec's
    variant: what it recognised, then its calm tip ("" when the variant needs none)."""
    cue = variant.cue.strip()
    if not cue:
        return ""
    name = variant.name.strip()
    return f"{name[:1].upper()}{name[1:]}: {cue[:1].lower()}{cue[1:]}"
