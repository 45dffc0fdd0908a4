"""Live coaching: the webcam with the overlay, the session flow's cue and big timer (shown,
announced to screen readers, spoken), and the set's results whenever a set ends.

The flow itself (get into position, hold still, 3-2-1, coaching, switch sides, the hold's last
seconds, the chime) lives in ``posecheck.coaching.session``; this page only shows it.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import av
import streamlit as st
from streamlit_webrtc import WebRtcMode, webrtc_streamer

from app_common import (
    camera_notice,
    cue_html,
    keep,
    keep_in_history,
    load_specs,
    metric_words,
    pose_model_selector,
    remember_widget,
    safety_note,
    space_starts_and_stops,
    stretch_selector,
    voice,
)
from posecheck.coaching.checker import Summary
from posecheck.coaching.live import (
    LiveProcessor,
    SetStats,
    dose_text,
    idle_cue_text,
    parse_ice_servers,
    set_busy_text,
)
from posecheck.coaching.pipeline import FrameRecord, Pipeline
from posecheck.coaching.placement import draw_placement
from posecheck.coaching.wording import (
    NOT_CHECKED_WHY,
    asymmetry_text,
    deg_text,
    not_checked_lines,
    reps_words,
)
from posecheck.overlay import annotate_step
from posecheck.pose.estimator import MediaPipePoseEstimator
from posecheck.pose.people import live_notice
from posecheck.review.report import records_csv
from posecheck.review.timeline import longest_hold_text, safe_name
from posecheck.specs.schema import StretchSpec

CUE_POLL_S = 0.25
ICE_ENV = "POSECHECK_ICE_SERVERS"
VOICE_MODES = {
    "every": "Every new cue",
    "corrections": "Corrections and steps only",
    "sounds": "Sounds only, no words",
}
SPOKEN_KINDS = {
    "every": {"fault", "unknown", "no_person", "step", "info", "positive"},
    "corrections": {"fault", "unknown", "no_person", "step"},
    "sounds": set(),
}
EVENT_SOUNDS = {"chime": "chime", "tick": "tick", "countdown": "countdown", "go": "go"}
CAMERA_HELP = (
    "**Camera blocked?** Click the camera icon (or the padlock) at the left of the address "
    "bar, choose *Allow*, then reload this page. On a phone: the browser's *Settings* → "
    "*Site settings* → *Camera* → allow this site. Browsers allow the camera only on "
    "https or on this computer (localhost). Nothing is recorded or sent anywhere."
)


@dataclass(frozen=True)
class FinishedSet:
    """A set that ended: why, its stretch, its results, and the key it is saved under."""

    why: str
    spec: StretchSpec
    stats: SetStats
    summary: Summary | None
    key: str
    records: tuple[FrameRecord, ...] = ()  # per frame, at the analysis rate, for the history


@dataclass
class LiveSet:
    """This browser session's live processor and the stretch it coaches. The video callback
    holds this object (not Streamlit state), so choosing another stretch switches the set
    without stopping the camera."""

    spec_id: str = ""
    model: str = ""
    proc: LiveProcessor | None = None
    finished: list[FinishedSet] = field(default_factory=list)
    mirror: bool = True  # show the picture as a mirror does


def live_set() -> LiveSet:
    return st.session_state.setdefault("live_set", LiveSet())


def end_set(holder: LiveSet, spec: StretchSpec, why: str) -> None:
    """Close the current set: its results are kept (and shown) whatever ended it."""
    if holder.proc is None:
        return
    stats = holder.proc.set_stats()
    if stats is not None and stats.duration_s > 0:
        key = f"live:{spec.id}:{uuid.uuid4().hex}"
        holder.finished.append(
            FinishedSet(why, spec, stats, holder.proc.summary(), key, holder.proc.records())
        )
        del holder.finished[:-10]


def use_stretch(
    holder: LiveSet, spec: StretchSpec, specs: dict[str, StretchSpec], model: str
) -> None:
    """Point the running camera at a set of this stretch with this pose model; a set of
    another stretch (or model) ends first."""
    if holder.spec_id == spec.id and holder.model == model and holder.proc is not None:
        return
    old = holder.proc
    if old is not None and holder.spec_id in specs:
        why = (
            "You chose another pose model"
            if holder.spec_id == spec.id
            else f"You chose {spec.name}"
        )
        end_set(holder, specs[holder.spec_id], why)
    holder.spec_id = spec.id
    holder.model = model
    holder.proc = LiveProcessor(
        lambda: Pipeline(spec, MediaPipePoseEstimator(model=model)),
        mirror=holder.mirror,
        draw=annotate_step,
    )
    if old is not None:
        old.close()


def make_callback(holder: LiveSet) -> Callable[[av.VideoFrame], av.VideoFrame]:
    """The WebRTC video callback: hand the frame over with its capture time, return the
    newest annotated frame. It runs in streamlit-webrtc's worker thread and never waits for
    pose estimation."""

    def callback(frame: av.VideoFrame) -> av.VideoFrame:
        image = frame.to_ndarray(format="bgr24")
        proc = holder.proc
        raw = image[:, ::-1] if holder.mirror else image  # before the first annotated frame
        if proc is None:
            return av.VideoFrame.from_ndarray(raw, format="bgr24")
        try:
            proc.submit(image, capture_s=frame.time)
        except RuntimeError:  # another stretch was chosen; this processor is closed
            return av.VideoFrame.from_ndarray(raw, format="bgr24")
        out = proc.latest()
        shown = out.image if out is not None and out.image.shape == image.shape else raw
        return av.VideoFrame.from_ndarray(shown, format="bgr24")

    return callback


def show_instructions(spec: StretchSpec) -> None:
    info, picture = st.columns([3, 2], gap="large")
    with info:
        st.markdown(f"**{spec.summary}**")
        st.markdown("#### Steps")
        st.markdown("\n".join(f"{i}. {step}" for i, step in enumerate(spec.instructions, 1)))
        st.markdown(f"**Dose:** {dose_text(spec.dose)}")
        if spec.not_checked:
            st.markdown("#### Not checked from this view")
            st.caption(NOT_CHECKED_WHY.capitalize() + ":")
            st.markdown("\n".join(f"- {line}." for line in not_checked_lines(spec)))
    with picture:
        st.markdown("#### Camera placement")
        st.image(draw_placement(spec), width="stretch")
        st.caption(spec.camera.placement)


def show_set(stats: SetStats, spec: StretchSpec, title: str) -> None:
    st.markdown(f"#### {title}")
    cols = st.columns(3)
    if stats.hold_target_s is not None:
        cols[0].metric("Holds completed", f"{stats.holds_completed}")
        # how far the holds got, as the replay says it ("0 completed" alone said nothing)
        longest = longest_hold_text(stats.holds)
        cols[0].caption(f"of {stats.hold_target_s:.0f} s each. {longest}".strip())
    else:
        cols[0].metric("Time", f"{stats.duration_s:.0f} s")
    cols[1].metric("Reps", metric_words(reps_words(stats.reps, finished=True)))
    cols[1].caption(f"target {stats.reps_target_per_side} per side")
    best = dict(stats.best_rom_deg)
    if stats.rom_label:
        cols[2].metric("Best left", deg_text(best.get("left")))
        cols[2].metric("Best right", deg_text(best.get("right")))
        measured = any(best.get(side) is not None for side in ("left", "right"))
        if measured and spec.rom is not None and spec.rom.uncertainty_deg:
            # the same words the replay puts beside its best numbers
            cols[2].caption(f"± {spec.rom.uncertainty_deg:.0f}° from this camera view")
        st.markdown(
            f"**{stats.rom_label.capitalize()}, left/right:** "
            + asymmetry_text(
                best,
                stats.rom_asymmetry_deg,
                spec.rom.uncertainty_deg if spec.rom is not None else None,
            )
        )
    if stats.fault_counts:
        st.markdown(
            "**Corrections:**\n" + "\n".join(f"- {msg} ({n}×)" for msg, n in stats.fault_counts)
        )
    elif stats.wrong_exercise_s >= 1.0:
        st.markdown(
            f"**Corrections:** none counted. For {stats.wrong_exercise_s:.0f} s this did not "
            f"look like the {spec.name.lower()}, and nothing is counted or timed then."
        )
    else:
        st.markdown("**Corrections:** none. Good form.")
    busy = set_busy_text(stats)
    if busy:
        st.caption(busy)


#: A phone (390x844) showed the camera picture from 735 px down: below the fold. On narrow
#: screens the page's top space, the title and the safety note shrink, the cue box takes a
#: smaller (still large) type, and the voice controls sit side by side, so the cue and the
#: camera picture are both in view (tests/e2e: the video's top is within the first screen).
#: The notes under the cue (the camera's place, someone else in view, a busy computer) take
#: a small type there too: a camera note and the busy note pushed the picture 75 px below the
#: first screen (session 13, tests/e2e test_a_busy_computer_is_told_calmly). With both notes
#: and the countdown's three lines the picture still ended 32 px below it, so on narrow
#: screens the page's blocks sit closer, the notes closer still and without their icons (the
#: words say it), leaving room under the picture (the test wants 30 px).
PHONE_CSS = """
<style>
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-top: 3.75rem !important; }
  [data-testid="stMain"] h1 { font-size: 1.5rem !important; padding: 0 !important; }
  /* the heading's -1rem bottom margin allows for the padding taken off above: without it
     the safety note's first line ran 6 px into the title's "g" (session 14) */
  [data-testid="stMain"] [data-testid="stHeading"] > div { margin-bottom: -0.5rem !important; }
  .st-key-live_safety [data-testid="stCaptionContainer"] {
    font-size: 0.72rem !important; line-height: 1.25 !important;
  }
  .posecheck-cuebox { padding: 0.45rem 0.7rem !important; }
  .posecheck-headline { font-size: 2rem !important; }
  .posecheck-cue { font-size: 1.2rem !important; line-height: 1.2 !important; }
  .st-key-live_controls [data-testid="stHorizontalBlock"] {
    flex-flow: row wrap !important; gap: 0.3rem 1rem !important; align-items: center;
  }
  .st-key-live_controls [data-testid="stColumn"] {
    min-width: 0 !important; width: auto !important; flex: 0 1 auto !important;
  }
  .st-key-live_keys { display: none !important; }
  [data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] {
    gap: 0.6rem !important;
  }
  .st-key-live_notes { gap: 0.3rem !important; }
  .st-key-live_notes div:has(> [data-testid="stMarkdownContainer"])
    > :not([data-testid="stMarkdownContainer"]) { display: none !important; }
  .st-key-live_notes [data-testid="stAlertContainer"] [data-testid="stMarkdownContainer"] {
    width: 100% !important;
  }
  .st-key-live_notes [data-testid="stAlertContainer"] { padding: 0.3rem 0.6rem !important; }
  .st-key-live_notes [data-testid="stMarkdownContainer"] p {
    font-size: 0.8rem !important; line-height: 1.25 !important;
  }
}
@media (hover: none) and (pointer: coarse) {
  .st-key-live_keys { display: none !important; }
}
</style>
"""


def voice_controls(holder: LiveSet) -> tuple[bool, str, float, bool]:
    """Speech on/off in view beside the cue, and the mirror view; how it talks in a
    popover."""
    keep("speak_cues", True)
    keep("voice_mode", "every")
    keep("voice_rate", 1.0)
    keep("sounds_on", True)
    keep("mirror_view", True)
    row = st.container(key="live_controls").columns([1, 1, 1])
    speak = row[0].toggle("Speak cues", key="speak_cues")
    holder.mirror = row[1].toggle(
        "Mirror view",
        key="mirror_view",
        help="Show the picture as a mirror does (your right hand on the right). The words "
        "stay readable, and left and right always mean your own left and right.",
    )
    if holder.proc is not None:
        holder.proc.mirror = holder.mirror
    with row[2].popover("Voice and sounds"):
        mode = st.radio(
            "How often it talks",
            list(VOICE_MODES),
            format_func=VOICE_MODES.get,
            key="voice_mode",
        )
        rate = st.slider("Voice speed", 0.6, 1.4, step=0.1, key="voice_rate")
        sounds = st.toggle("Chime and countdown sounds", key="sounds_on")
    for key in ("speak_cues", "voice_mode", "voice_rate", "sounds_on", "mirror_view"):
        remember_widget(key)
    return speak, mode, float(rate), sounds


def sidebar() -> list[dict[str, object]]:
    """Settings few people need, folded away: speed figures and the connection servers.

    The fold opens by itself when the servers typed there cannot be read, so the message shows.
    """
    default = os.environ.get(ICE_ENV, "")
    try:
        parse_ice_servers(str(st.session_state.get("ice_servers", default)))
        unreadable = False
    except ValueError:
        unreadable = True
    with st.sidebar.expander("Advanced settings", expanded=unreadable):
        st.toggle("Show speed figures", key="show_speed", value=False)
        text = st.text_input(
            "Connection servers (ICE)",
            value=default,
            key="ice_servers",
            help="Only needed when the browser is on another computer than this app: STUN/TURN "
            "addresses, comma-separated (e.g. stun:stun.example.org:3478), or a JSON list. "
            f"Empty: this computer only. Default from the {ICE_ENV} environment variable. "
            "See docs/app.md.",
        )
        try:
            return parse_ice_servers(text)
        except ValueError as exc:
            st.error(str(exc))
            return []


def main() -> None:
    st.set_page_config(page_title="Live coaching · posecheck", layout="wide")
    st.html(PHONE_CSS)
    st.title("Live coaching")
    with st.container(key="live_safety"):
        safety_note()
    ice = sidebar()
    specs = load_specs()
    spec = stretch_selector(specs, key="live_stretch")
    if spec is None:
        return
    holder = live_set()
    use_stretch(holder, spec, specs, pose_model_selector())
    proc = holder.proc
    assert proc is not None  # noqa: S101 - use_stretch always sets it

    cue_slot = st.empty()  # above the video at every width: read first on a phone
    with st.container(key="live_notes"):  # the notes take a small type on a phone (PHONE_CSS)
        camera_slot = st.empty()  # the camera message (posecheck.coaching.live.CameraMessage)
        people_slot = st.empty()  # "someone else is in view", while they are
        busy_slot = st.empty()  # fewer pictures reach the pose model (LiveFrame.busy_note)
    speak, mode, rate, sounds_on = voice_controls(holder)
    voice_slot = st.empty()
    video_col, side_col = st.columns([3, 2], gap="medium")
    with video_col:
        ctx = webrtc_streamer(
            key="live",
            mode=WebRtcMode.SENDRECV,
            rtc_configuration={"iceServers": ice},
            media_stream_constraints={
                "video": {"width": {"ideal": 640}, "height": {"ideal": 480}},
                "audio": False,
            },
            video_frame_callback=make_callback(holder),
            async_processing=True,
        )
        with st.container(key="live_keys"):  # hidden where there is no keyboard (PHONE_CSS)
            st.caption("Space bar: START / STOP.")
        st.caption(CAMERA_HELP)
        space_starts_and_stops()
    with side_col:
        progress_slot = st.empty()
        speed_slot = st.empty()
        new_set = ctx.state.playing and st.button(  # nothing to end before START
            "New set", help="End this set (its results are kept) and start again."
        )
        if new_set:
            end_set(holder, spec, "You started a new set")
            proc.reset()
    # START after STOP begins a new set; STOP ends one (its results are shown and kept).
    was_playing = st.session_state.get("live_was_playing", False)
    if ctx.state.playing and not was_playing:
        proc.reset()
    elif was_playing and not ctx.state.playing:
        end_set(holder, spec, "You pressed STOP")
        proc.reset()
    st.session_state["live_was_playing"] = ctx.state.playing
    set_slot = st.container()
    with st.expander(f"How to do it: {spec.name}", expanded=not ctx.state.playing):
        show_instructions(spec)
    if holder.finished:
        done = holder.finished[-1]
        with set_slot:
            title = f"Set summary: {done.spec.name} ({done.why.lower()})"
            show_set(done.stats, done.spec, title)
            keep_in_history(
                done.summary, done.spec, origin="live", key=done.key, records=done.records
            )
            if done.records:
                st.download_button(
                    "This set, frame by frame (CSV)",
                    records_csv(done.records),
                    file_name=f"{safe_name(done.spec.name.lower())}-live-set.csv",
                    mime="text/csv",
                    key=f"live_csv_{done.key}",
                    on_click="ignore",  # the camera keeps running
                    help="Angles, position, holds and corrections at each moment of the set. "
                    "The Progress page makes a PDF of your saved sets.",
                )

    if not ctx.state.playing:
        finished = holder.finished[-1].spec if holder.finished else None
        cue_slot.markdown(cue_html(idle_cue_text(finished, spec), "step"), unsafe_allow_html=True)
        return

    shown: tuple[str, str, int | None] | None = None
    shown_line = None
    shown_note: str | None = None
    shown_people: str | None = None
    shown_busy: str | None = None
    last_event = proc.events_after(-1)[-1][0] if proc.events_after(-1) else 0
    spoken = None
    while ctx.state.playing:
        out = proc.latest()
        say: list[str] = []
        sounds: list[str] = []
        for _, name, words in proc.events_after(last_event):
            last_event = _
            if name in EVENT_SOUNDS and sounds_on:
                sounds.append(EVENT_SOUNDS[name])
            if name == "switch_sides" and words and speak and mode != "sounds":
                say.append(words)
        if out is not None and out.coaching is not None:
            c = out.coaching
            progress = c.hold_progress  # the value the video's bar shows for this frame
            # Drawn again when the bar moves too: it used to move only when the words did
            # (once a second), a second behind the bar on the video at worst.
            bar = None if progress is None else round(progress * 200)
            view = (c.cue.text + c.headline, c.cue.kind, bar)
            if view != shown:
                shown = view
                cue_slot.markdown(
                    cue_html(c.cue.text, c.cue.kind, c.headline, progress),
                    unsafe_allow_html=True,
                )
            if c.cue.text != spoken:
                spoken = c.cue.text
                if speak and c.cue.kind in SPOKEN_KINDS[mode]:
                    say.append(c.cue.text)
            if out.camera_note != shown_note:
                shown_note = out.camera_note
                if shown_note:
                    with camera_slot:
                        camera_notice(shown_note)
                else:  # writing nothing into the slot would leave the old note showing
                    camera_slot.empty()
            notice = live_notice(out.step.pose_frame)
            if notice != shown_people:
                shown_people = notice
                if notice:
                    people_slot.info(notice, icon=":material/group:")
                else:
                    people_slot.empty()
            if out.busy_note != shown_busy:
                shown_busy = out.busy_note
                if shown_busy:
                    busy_slot.info(shown_busy, icon=":material/hourglass_empty:")
                else:
                    busy_slot.empty()
            r = out.step.result
            side = (  # words a person uses, as the overlay's "3 left, 2 right"
                f" · working on your {r.working_side} side"
                if r.working_side in ("left", "right")
                else ""
            )
            line = f"**Reps:** {reps_words(r.reps)}{side}"
            if line != shown_line:
                shown_line = line
                progress_slot.markdown(line)
            s = proc.stats()
            if s.error:
                speed_slot.warning(f"Pose estimation failed on a frame: {s.error}")
            elif st.session_state.get("show_speed"):
                speed_slot.caption(
                    f"{s.fps:.1f} fps processed · delay {s.latency_ms_mean:.0f} ms "
                    f"(p95 {s.latency_ms_p95:.0f}) · {s.dropped} stale frames skipped"
                )
        elif shown is None:
            shown = ("Starting the camera…", "step", None)
            cue_slot.markdown(cue_html(shown[0], "step"), unsafe_allow_html=True)
        if say or sounds:
            with voice_slot:
                voice(say, sounds, rate)
        time.sleep(CUE_POLL_S)


main()
