"""Replay review: analyse a recorded clip, watch it annotated, scrub, see the timeline, export."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from app_common import (
    camera_notice,
    keep,
    keep_replay,
    load_specs,
    metric_words,
    pose_model_selector,
    remember_widget,
    safety_note,
    stretch_selector,
)
from posecheck.coaching.framing import not_seen_text
from posecheck.coaching.posture import StretchMatch, suggest_stretches
from posecheck.coaching.wording import (
    asymmetry_text,
    deg_text,
    fault_label,
    not_checked_sentence,
    reps_words,
    side_cell,
    side_word,
    unmeasured_side_text,
)
from posecheck.errors import PosecheckError
from posecheck.media.source import SourceInfo
from posecheck.overlay import annotate_step
from posecheck.pose.landmarks import Pose
from posecheck.review.analysis import Analysis, analyze_video, replay_camera_message
from posecheck.review.photo import (
    angle_text,
    estimate_photo,
    is_photo,
    photo_analysis,
    photo_report,
    unchecked_text,
)
from posecheck.review.photo import suggest as photo_suggestions
from posecheck.review.report import frames_csv, report_dict
from posecheck.review.timeline import (
    HEIC_SUFFIXES,
    MAX_UPLOAD_MB,
    UPLOAD_SUFFIXES,
    ClipFacts,
    clip_facts,
    clip_label,
    fault_intervals,
    fault_rows,
    frame_at,
    guess_stretch,
    list_clips,
    longest_hold_text,
    read_frame,
    rom_rows,
    sample_dir,
    save_upload,
)
from posecheck.specs.schema import StretchSpec

SIDE_COLOURS = {"left": "#1f77b4", "right": "#ff7f0e"}
STATE_WORDS = {
    "no_person": "nobody in view",
    "settling": "finding you",
    "unknown": "part of the body out of sight",
    "rest": "resting",
    "active": "in the stretch",
}


#: Turning a picture that was filmed on its side (clockwise degrees), in words.
TURNS = {
    0: "No: as filmed",
    90: "A quarter turn clockwise",
    180: "Half a turn (it is upside down)",
    270: "A quarter turn anticlockwise",
}

KEEP_RESULTS = 4  # analyses (with their annotated videos) kept per browser session


@dataclass(frozen=True)
class Result:
    """One analysed clip, kept in session state."""

    key: str
    clip_name: str
    annotated_mp4: Path
    analysis: Analysis


def work_dir() -> Path:
    """A folder for this session's uploads and annotated videos."""
    if "work_dir" not in st.session_state:
        st.session_state["work_dir"] = tempfile.mkdtemp(prefix="posecheck-app-")
    return Path(st.session_state["work_dir"])


@st.cache_data(show_spinner=False, max_entries=512)
def _clip_facts(path: str, stamp: float) -> ClipFacts | None:
    return clip_facts(path)


def choose_clip(specs: dict[str, StretchSpec]) -> tuple[Path, str] | None:
    """The clip to review: a sample clip or the user's upload (kept across reruns)."""
    keep("source", "Sample clip")
    source = st.radio(
        "Clip", ["Sample clip", "Upload a video or photo"], horizontal=True, key="source"
    )
    remember_widget("source")
    if source == "Sample clip":
        folder = sample_dir()
        clips = list_clips(folder)
        if not clips:
            st.info(
                f"No sample clips in {folder} yet. Upload a video or photo of your own instead, or "
                "come back when the sample clips have been rendered."
            )
            return None
        names = [c.name for c in clips]
        keep("sample_clip", names[0])
        if st.session_state.get("sample_clip") not in names:
            st.session_state["sample_clip"] = names[0]
        labels = {
            c.name: clip_label(c, _clip_facts(str(c), c.stat().st_mtime), specs) for c in clips
        }
        name = st.selectbox("Sample clip", names, key="sample_clip", format_func=labels.get)
        remember_widget("sample_clip")
        return folder / name, name
    exts = [s.lstrip(".") for s in UPLOAD_SUFFIXES]
    up = st.file_uploader(
        f"Video or photo file (up to {MAX_UPLOAD_MB} MB; {', '.join(exts)})",
        type=exts + [s.lstrip(".") for s in HEIC_SUFFIXES],  # taken to say what to do
        key="upload",
        help="Film the stretch from where the camera-placement picture on the Live coaching "
        "page shows. The file stays on this machine.",
    )
    if up is not None:
        sig = f"{up.name}:{up.size}"
        if st.session_state.get("upload_sig") != sig:
            st.session_state["upload_sig"] = sig
            earlier = st.session_state.pop("upload_path", None)
            st.session_state.pop("upload_error", None)
            try:
                path = save_upload(up.name, up.getvalue(), work_dir() / "uploads")
            except PosecheckError as exc:
                st.session_state["upload_error"] = str(exc)
            else:
                st.session_state["upload_path"] = str(path)
                st.session_state["upload_name"] = up.name
            # The copy of the upload it replaces goes (its analyses keep their own videos):
            # no copies of a person's videos pile up in the temporary folder.
            if earlier and earlier != st.session_state.get("upload_path"):
                Path(earlier).unlink(missing_ok=True)
    if st.session_state.get("upload_error") and up is not None:
        st.error(st.session_state["upload_error"])
        return None
    if "upload_path" in st.session_state:
        if up is None:
            st.caption(f"Using your earlier upload: {st.session_state['upload_name']}")
        return Path(st.session_state["upload_path"]), st.session_state["upload_name"]
    return None


def choose_turn() -> int:
    """How far to turn the picture (a phone held sideways may not say so in the file)."""
    keep("replay_turn", 0)
    turn = st.selectbox(
        "Turn the picture? (the floor should be at the bottom)",
        list(TURNS),
        format_func=TURNS.__getitem__,
        key="replay_turn",
        help="A phone or camera held on its side does not always say so in the file. The "
        "body is found and measured best when the picture is the right way up.",
    )
    remember_widget("replay_turn")
    return int(turn)


def remember(results: dict[str, Result], result: Result) -> None:
    """Keep the newest analyses; older ones give up their annotated video (it can be made
    again with one click), so a long session does not fill the disk."""
    results[result.key] = result
    while len(results) > KEEP_RESULTS:
        oldest = results.pop(next(iter(results)))
        oldest.annotated_mp4.unlink(missing_ok=True)


def run_analysis(
    clip: Path, clip_name: str, spec: StretchSpec, key: str, model: str = "full", turn: int = 0
) -> Result | None:
    out = work_dir() / "annotated" / f"{abs(hash(key)):x}.mp4"
    bar = st.progress(0.0, text="Analysing…")

    def progress(done: int, total: int) -> None:
        if total and (done % 5 == 0 or done >= total):
            bar.progress(min(done / total, 1.0), text=f"Analysing frame {done} of {total}")

    try:
        analysis = analyze_video(
            clip,
            spec,
            annotate_to=out,
            draw=annotate_step,
            progress=progress,
            model=model,
            rotate_deg=turn,
        )
    except PosecheckError as exc:
        bar.empty()
        st.error(f"This clip could not be analysed. {exc}")
        return None
    bar.empty()
    return Result(key, clip_name, out, analysis)


def photo_pose(clip: Path, model: str, turn: int = 0) -> tuple[SourceInfo, Pose | None] | str:
    """The photo's pose, found once per photo, model and turn (judging it as another stretch
    needs no second run), or what went wrong, in words (kept too: said once, not retried on
    every rerun)."""
    key = f"{clip}:{clip.stat().st_mtime if clip.exists() else 0}:{model}:{turn}"
    poses: dict[str, tuple[SourceInfo, Pose | None] | str] = st.session_state.setdefault(
        "photo_poses", {}
    )
    if key not in poses:
        with st.spinner("Looking at the photo…"):
            try:
                found: tuple[SourceInfo, Pose | None] | str = estimate_photo(
                    clip, model=model, rotate_deg=turn
                )
            except PosecheckError as exc:
                found = f"This photo could not be analysed. {exc}"
        poses.clear()  # one photo's pose at a time is plenty
        poses[key] = found
    return poses[key]


def photo_stretch(clip: Path, specs: dict[str, StretchSpec], model: str) -> str | None:
    """The stretch a photo shows a person in position for (fewest faults), or None."""
    found = photo_pose(clip, model)
    if isinstance(found, str) or found[1] is None:
        return None
    fits = photo_suggestions(found[1], specs)
    return fits[0].stretch_id if fits else None


def _analyse_as(stretch_id: str) -> None:
    # A callback: it runs before the stretch chooser is drawn (setting the chooser's value
    # after it is drawn raised StreamlitAPIException, so the button failed).
    st.session_state["replay_stretch"] = stretch_id
    st.session_state.setdefault("_kept", {})["replay_stretch"] = stretch_id


def offer_stretches(fits: list[tuple[str, str]], across: bool = True) -> None:
    """A button per stretch the footage or photo could show: analyse it as that one (side by
    side, or one under the other in a narrow column)."""
    cols = st.columns(max(1, len(fits))) if across else [st.container() for _ in fits]
    for col, (sid, name) in zip(cols, fits, strict=False):
        col.button(f"Analyse as {name}", key=f"suggest_{sid}", on_click=_analyse_as, args=(sid,))


def show_photo(
    clip: Path, clip_name: str, spec: StretchSpec, specs: dict, model: str, turn: int = 0
) -> None:
    """A photo: a one-picture verdict (no hold time, no reps), kept across reruns."""
    found = photo_pose(clip, model, turn)
    if isinstance(found, str):
        st.error(found)
        return
    a = photo_analysis(*found, spec)
    v = a.verdict
    if v is None:  # photo_analysis was given a spec: always a verdict
        return
    if a.pose is not None:  # nobody in the photo: which stretch does not matter yet
        picked = st.session_state.get("replay_photo_pick")
        if picked == spec.id:
            st.caption(
                f"Chosen from what the photo shows: {spec.name}. If you were doing another "
                "stretch, choose it above."
            )
        elif (
            picked is None
            and not st.session_state.get("replay_guessed", True)
            and st.session_state.get("replay_asked_with") in (None, spec.id)
        ):
            st.info("Which stretch is in this photo? Choose it above.")
    left, right = st.columns([3, 2])
    picture = read_frame(clip, 0.0, turn)  # as it was analysed: turned if asked
    left.image(str(clip) if picture is None else picture, caption=clip_name, width="stretch")
    with right:
        st.markdown(f"#### {spec.name}: one photo")
        st.caption("A single picture has no hold time or repetitions.")
        say = {True: st.success, False: st.warning, None: st.info}[v.in_position]
        say(v.why)
        if v.variant_name:
            st.markdown(f"Recognised as: **{v.variant_name}**")
        if v.cue:
            st.markdown(f"**Tip:** {v.cue}")
        if v.angles:
            st.markdown("#### Angles")
            table = pd.DataFrame(
                [
                    {"side": side_word(g.side), "what": g.label, "angle": angle_text(g)}
                    for g in v.angles
                ]
            )
            if not table["side"].any():  # whole-body angles only (a "-" showed as a bullet)
                table = table.drop(columns="side")
            st.table(table)
        if v.faults:
            st.markdown("#### Seen in this photo")
            for f in v.faults:
                st.markdown(f"- {fault_label(f.message, f.side)}")
        if v.not_checked:
            st.markdown("#### Not checked from this photo")
            for n in v.not_checked:
                st.markdown(f"- {unchecked_text(n)}")
        if a.pose is not None and not v.in_position:
            others = [s for s in photo_suggestions(a.pose, specs) if s.stretch_id != spec.id]
            if others:
                names = ", ".join(
                    s.name + (f" ({s.variant_name})" if s.variant_name else "") for s in others
                )
                st.info(f"This photo looks more like: {names}.")
                offer_stretches([(s.stretch_id, s.name) for s in others[:3]], across=False)
        st.download_button(
            "Verdict (JSON)",
            json.dumps(photo_report(a), indent=2, allow_nan=False),
            file_name=f"{Path(clip_name).stem}-{spec.id}.json",
            mime="application/json",
        )


def timeline_chart(result: Result, frame_index: int) -> alt.LayerChart | alt.Chart:
    a = result.analysis
    rom = pd.DataFrame(rom_rows(a), columns=["t_s", "side", "rom_deg"])
    faults = pd.DataFrame(
        fault_intervals(a), columns=["start_s", "end_s", "fault", "side", "message"]
    )
    label = a.spec.rom.label if a.spec.rom else "range of motion"
    t_end = a.records[-1].t_ms / 1000 if a.records else 1.0
    x = alt.Scale(domain=[0, max(t_end, 0.1)])
    layers: list[alt.Chart] = []
    if not faults.empty:
        layers.append(
            alt.Chart(faults)
            .mark_rect(opacity=0.22, color="#d62728")
            .encode(
                x=alt.X("start_s:Q", scale=x, title="time (s)"),
                x2="end_s:Q",
                tooltip=["fault", "side", "message", "start_s", "end_s"],
            )
        )
    if not rom.empty:
        layers.append(
            alt.Chart(rom)
            .mark_line(point=False, strokeWidth=2)
            .encode(
                x=alt.X("t_s:Q", scale=x, title="time (s)"),
                y=alt.Y("rom_deg:Q", title=f"{label} (degrees)"),
                color=alt.Color(
                    "side:N",
                    scale=alt.Scale(domain=list(SIDE_COLOURS), range=list(SIDE_COLOURS.values())),
                ),
                tooltip=["t_s", "side", "rom_deg"],
            )
        )
    t_now = a.records[frame_index].t_ms / 1000 if a.records else 0.0
    layers.append(
        alt.Chart(pd.DataFrame({"t_s": [t_now]}))
        .mark_rule(color="#444", strokeDash=[4, 3])
        .encode(x=alt.X("t_s:Q", scale=x, title="time (s)"))
    )
    return alt.layer(*layers).properties(height=260)


def show_summary(a: Analysis, camera_note: bool = True) -> None:
    """The summary; ``camera_note`` False leaves out the camera note (footage that does not
    look like the chosen stretch: its camera was solved on another exercise)."""
    r = report_dict(a)
    cols = st.columns(3)
    cols[0].metric("Duration", f"{r['duration_s'] or 0:.1f} s")
    if r["hold_target_s"]:
        cols[0].metric("Holds completed", f"{r['holds_completed']}")
        longest = longest_hold_text(a.summary.holds)
        cols[0].caption(f"of {r['hold_target_s']:.0f} s each. {longest}".strip())
    cols[1].metric("Reps", metric_words(reps_words(r["reps"], finished=True)))
    rom = r["rom"]
    if rom:
        best = {"left": rom["best_left_deg"], "right": rom["best_right_deg"]}
        cols[2].metric(f"Best {rom['label']}, left", deg_text(best["left"]))
        cols[2].metric(f"Best {rom['label']}, right", deg_text(best["right"]))
        cols[2].caption(
            f"Both sides: give or take {rom['uncertainty_deg']:.0f}° from this camera view."
        )
        st.markdown(
            "**Left/right:** " + asymmetry_text(best, rom["asymmetry_deg"], rom["uncertainty_deg"])
        )
        unmeasured = unmeasured_side_text(a.spec, a.camera, best)
        if unmeasured:
            st.caption(unmeasured)
    for warning in a.source.warnings:  # cut off, damaged, size change, no frame rate
        st.warning(f"About this video: {warning}")
    if camera_note:
        camera_notice(replay_camera_message(a))
        if r["camera"]:  # where it stood, in words, with how sure the estimate is
            st.caption(f"Where the camera stood, read from your body: {r['camera']['words']}.")
    gaps = []
    if (r["no_person_s"] or 0) >= 0.5:
        gaps.append(f"nobody was in view for {r['no_person_s']:.1f} s")
    if (r["unknown_s"] or 0) >= 0.5:
        gaps.append(f"part of the body was out of sight for {r['unknown_s']:.1f} s")
    if gaps:
        st.caption(f"Not measured while {' and '.join(gaps)}.")


@dataclass(frozen=True)
class Mismatch:
    """The footage does not look like the chosen stretch: what it looks like instead."""

    words: str  # "lying on your back with your knees bent"
    fitting: tuple[StretchMatch, ...]  # the stretches it could be (posture matches), best first


def mismatch(a: Analysis, specs: dict[str, StretchSpec]) -> Mismatch | None:
    """A :class:`Mismatch` when the footage does not look like the chosen stretch."""
    words, matches = suggest_stretches([rec.posture for rec in a.records], specs)
    chosen = next((m for m in matches if m.spec_id == a.spec.id), None)
    if not words or chosen is None or chosen.share >= 0.5:
        return None
    return Mismatch(words, tuple(m for m in matches if m.share >= 0.8)[:4])


def suggest(a: Analysis, other: Mismatch) -> None:
    """Say what the footage looks like, that it was not saved, and offer to analyse it as
    one of the stretches that fit."""
    fitting = other.fitting
    st.warning(
        f"This does not look like the {a.spec.name.lower()}: most of the time you seem to be "
        f"{other.words}. It is not saved to your history."
        + (" Which stretch is it? It could be:" if fitting else " Which stretch is it?")
    )
    offer_stretches([(m.spec_id, m.name) for m in fitting])


def frame_words(a: Analysis, index: int) -> str:
    """ "3.2 s · in the stretch · Keep your hip bones on the floor" for the scrubber."""
    rec = a.records[index]
    messages = {f.id: f.message for f in a.spec.faults}
    faults = []
    for item in rec.faults:
        fid, _, side = item.partition(":")
        faults.append(fault_label(messages.get(fid, fid), side))
    state = STATE_WORDS.get(rec.state, rec.state)
    return " · ".join([f"{rec.t_ms / 1000:.1f} s", state, *faults])


#: A clip in which nobody was ever found: said instead of an empty review.
NOBODY_TEXT = (
    "I couldn't find anyone in this video, so nothing was measured. Film again with your "
    "whole body in the picture, in good light, from where the camera-placement picture on "
    "the Live coaching page shows."
)


def show_result(result: Result, other: Mismatch | None) -> None:
    a = result.analysis
    n = len(a.records)
    if all(rec.state == "no_person" for rec in a.records):  # (an empty timeline, "no faults")
        st.warning(NOBODY_TEXT, icon=":material/person_search:")
        return
    if other is not None:
        suggest(a, other)
    show_summary(a, camera_note=other is None)
    rows = fault_rows(a)
    fps = a.source.fps or 10.0
    t_end = a.records[-1].t_ms / 1000 if n else 0.0
    slider_key = f"time_{result.key}"
    table_key = f"faults_{result.key}"
    # A fault chosen in the table (last run) moves the scrubber to the moment it was flagged.
    selection = st.session_state.get(table_key)
    selected = list(selection.selection.rows) if selection is not None else []
    sel_marker = f"sel_{result.key}"
    if selected and selected[0] < len(rows) and st.session_state.get(sel_marker) != selected[0]:
        st.session_state[slider_key] = round(
            a.records[rows[selected[0]].frame_index].t_ms / 1000, 2
        )
    st.session_state[sel_marker] = selected[0] if selected else None

    st.markdown("#### Annotated video")
    t_s = st.slider(
        "Time (s): the player starts here",
        0.0,
        max(t_end, 0.01),
        step=round(1.0 / fps, 3),
        key=slider_key,
        disabled=n < 2,
        format="%.1f s",
    )
    index = frame_at(t_s, [rec.t_ms for rec in a.records])
    left, right = st.columns(2, gap="medium")
    with left:
        st.video(str(result.annotated_mp4), start_time=float(t_s))
        st.caption("Move the time above to play from that moment.")
    with right:
        frame = read_frame(result.annotated_mp4, a.records[index].t_ms) if n else None
        if frame is not None:
            st.image(frame, caption=frame_words(a, index), width="stretch")
    st.markdown("#### Timeline")
    st.altair_chart(timeline_chart(result, index), width="stretch")
    st.caption(
        (
            "Lines: range of motion per side (the size of the turn, from your starting position). "
            if a.spec.rom is not None
            else "This stretch measures no angle: the chart shows when faults were flagged. "
        )
        + "Red bands: while a fault was flagged. Dashed line: the time chosen above."
    )
    st.markdown("#### Fault events")
    if rows:
        # In full words first: the table's last column is cut off on a phone (and often on a
        # computer), so what to fix is said here, how often, then when in the table.
        times: dict[str, int] = {}
        for r in rows:
            label = fault_label(r.message, r.side)
            times[label] = times.get(label, 0) + 1
        st.markdown(
            "**What to fix:**\n"
            + "\n".join(
                f"- {label} ({count}×)"
                for label, count in sorted(times.items(), key=lambda kv: -kv[1])
            )
        )
        df = pd.DataFrame(
            [
                {
                    "from (s)": r.start_s,
                    "until (s)": r.end_s,
                    "side": side_cell(r.side),
                    "what to fix": r.message,
                }
                for r in rows
            ]
        )
        st.dataframe(
            df,
            key=table_key,
            on_select="rerun",
            selection_mode="single-row",
            hide_index=True,
            width="stretch",
            column_config={"what to fix": st.column_config.TextColumn(width="large")},
        )
        st.caption("Choose a row to see that moment under the table and in the player.")
        if selected and selected[0] < len(rows):
            row = rows[selected[0]]
            shot = read_frame(result.annotated_mp4, a.records[row.frame_index].t_ms)
            if shot is not None:
                picture, _ = st.columns([1, 1])
                picture.image(shot, caption=frame_words(a, row.frame_index), width="stretch")
    else:
        st.success("No faults were flagged in this clip.")
    if a.spec.not_checked:
        st.caption(not_checked_sentence(a.spec))
    for entry in report_dict(a)["not_checked_from_view"]:
        st.info(not_seen_text(entry))
    st.markdown("#### Export")
    stem = Path(result.clip_name).stem
    c1, c2, c3 = st.columns(3)
    c1.download_button(
        "Annotated video (MP4)",
        data=result.annotated_mp4.read_bytes(),
        file_name=f"{stem}.annotated.mp4",
        mime="video/mp4",
    )
    c2.download_button(
        "Report (JSON)",
        data=json.dumps(report_dict(a), indent=2),
        file_name=f"{stem}.report.json",
        mime="application/json",
    )
    c3.download_button(
        "Per-frame table (CSV)",
        data=frames_csv(a),
        file_name=f"{stem}.frames.csv",
        mime="text/csv",
    )


def main() -> None:
    st.set_page_config(page_title="Replay review · posecheck", layout="wide")
    st.title("Replay review")
    safety_note()
    model = pose_model_selector()
    specs = load_specs()
    chosen = choose_clip(specs)
    if chosen is not None:
        clip, clip_name = chosen
        # A new clip: preselect the stretch it shows.
        if st.session_state.get("replay_clip") != str(clip):
            st.session_state["replay_clip"] = str(clip)
            guess = guess_stretch(clip, list(specs))
            st.session_state["replay_guessed"] = guess is not None
            st.session_state.pop("replay_photo_pick", None)
            st.session_state["replay_turn"] = 0  # a new clip starts as filmed
            st.session_state.setdefault("_kept", {})["replay_turn"] = 0
            if guess is None and is_photo(clip):  # the name says nothing: the picture may
                guess = photo_stretch(clip, specs, model)
                st.session_state["replay_photo_pick"] = guess
            if guess is not None:
                st.session_state["replay_stretch"] = guess
            # What the chooser held when the question was asked: a choice answers it.
            st.session_state["replay_asked_with"] = st.session_state.get("replay_stretch")
    spec = stretch_selector(specs, key="replay_stretch")
    if spec is None or chosen is None:
        return
    turn = choose_turn()
    if is_photo(clip):
        show_photo(clip, clip_name, spec, specs, model, turn)
        return
    stamp = clip.stat().st_mtime if clip.exists() else 0.0
    key = f"{clip}:{stamp}:{spec.id}:{model}:{turn}"
    results: dict[str, Result] = st.session_state.setdefault("replay_results", {})
    if key not in results:
        ask = st.empty()  # asked until the clip is analysed
        if not st.session_state.get("replay_guessed", True):
            ask.info(
                "Which stretch is in this video? Choose it above. After the analysis you are "
                "told if the footage does not look like it."
            )
        slot = st.empty()
        if not slot.button("Analyse", type="primary"):
            st.caption("Analysis runs on this machine; a 10 s clip takes a few seconds.")
            first = read_frame(clip, 0.0, turn)
            if first is not None:
                st.image(
                    first, width=320, caption="The clip's first picture, turned as chosen above."
                )
            return
        slot.empty()
        ask.empty()
        result = run_analysis(clip, clip_name, spec, key, model, turn)
        if result is None:
            return
        remember(results, result)
    other = mismatch(results[key].analysis, specs)
    if other is None:  # footage of another stretch is not kept under this one
        keep_replay(results[key].analysis, results[key].clip_name, key)
    show_result(results[key], other)


main()
