"""Live coaching: the webcam, the overlay, the current cue (shown and spoken), set results."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable

import av
import streamlit as st
import streamlit.components.v1 as components
from streamlit_webrtc import WebRtcMode, webrtc_streamer

from app_common import load_specs, safety_note, stretch_selector
from posecheck.analysis import Pipeline
from posecheck.live import (
    LiveProcessor,
    SetStats,
    dose_text,
    parse_ice_servers,
    reps_text,
)
from posecheck.placement import draw_placement
from posecheck.spec import StretchSpec

CUE_POLL_S = 0.25
ICE_ENV = "POSECHECK_ICE_SERVERS"

CUE_STYLE = {
    "fault": ("#b42318", "#fdecea"),
    "unknown": ("#8a5a00", "#fff4dc"),
    "no_person": ("#8a5a00", "#fff4dc"),
    "positive": ("#1e6b33", "#e8f5ec"),
    "info": ("#1f3b63", "#eaf1fb"),
}


def processor_for(spec: StretchSpec) -> LiveProcessor:
    """This session's live processor for the stretch (others are closed)."""
    procs: dict[str, LiveProcessor] = st.session_state.setdefault("live_processors", {})
    for sid in [s for s in procs if s != spec.id]:
        procs.pop(sid).close()
    if spec.id not in procs:
        procs[spec.id] = LiveProcessor(lambda: Pipeline(spec))
    return procs[spec.id]


def make_callback(proc: LiveProcessor) -> Callable[[av.VideoFrame], av.VideoFrame]:
    """The WebRTC video callback: hand the frame over, return the newest annotated frame.

    It runs in streamlit-webrtc's worker thread and never waits for pose estimation."""

    def callback(frame: av.VideoFrame) -> av.VideoFrame:
        image = frame.to_ndarray(format="bgr24")
        try:
            proc.submit(image, capture_s=frame.time)
        except RuntimeError:  # another stretch was chosen; this stream is on its way out
            return frame
        out = proc.latest()
        shown = out.image if out is not None and out.image.shape == image.shape else image
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
            st.markdown(
                "\n".join(f"- **{n.message}** {n.reason}" for n in spec.not_checked),
            )
    with picture:
        st.markdown("#### Camera placement")
        st.image(draw_placement(spec), width="stretch")
        st.caption(spec.camera.placement)


def cue_html(text: str, kind: str) -> str:
    fg, bg = CUE_STYLE.get(kind, ("#222", "#f3f3f3"))
    return (
        f'<div class="posecheck-cue" data-kind="{kind}" style="font-size:1.9rem;'
        f"line-height:1.25;font-weight:600;color:{fg};background:{bg};padding:0.9rem 1rem;"
        f'border-radius:0.6rem;">{st_escape(text)}</div>'
    )


def st_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def speak(text: str) -> None:
    """Say the cue with the browser's speech synthesis (in the app's own window)."""
    components.html(
        "<script>(function(){"
        "const w = window.parent || window; const s = w.speechSynthesis;"
        "if (!s || !w.SpeechSynthesisUtterance) return;"
        f"s.cancel(); const u = new w.SpeechSynthesisUtterance({json.dumps(text)});"
        "u.rate = 0.95; s.speak(u);})();</script>",
        height=0,
    )


def show_set(stats: SetStats, title: str) -> None:
    st.markdown(f"#### {title}")
    cols = st.columns(4)
    if stats.hold_target_s is not None:
        cols[0].metric("Holds completed", f"{stats.holds_completed}")
        cols[0].caption(f"target {stats.hold_target_s:.0f} s each")
    else:
        cols[0].metric("Duration", f"{stats.duration_s:.0f} s")
    cols[1].metric("Reps per side", reps_text(stats.reps))
    cols[1].caption(f"target {stats.reps_target_per_side} per side")
    best = dict(stats.best_rom_deg)

    def deg(v: float | None) -> str:
        return "-" if v is None else f"{v:.0f}°"

    if stats.rom_label:
        cols[2].metric(
            f"Best {stats.rom_label}", f"L {deg(best.get('left'))} R {deg(best.get('right'))}"
        )
        cols[3].metric("Left/right difference", deg(stats.rom_asymmetry_deg))
    if stats.fault_counts:
        st.markdown(
            "**Faults flagged:**\n" + "\n".join(f"- {n}× {msg}" for msg, n in stats.fault_counts)
        )
    else:
        st.markdown("**Faults flagged:** none")


def sidebar() -> list[dict[str, object]]:
    st.sidebar.toggle("Speak cues", key="speak_cues", value=True)
    st.sidebar.toggle("Show speed figures", key="show_speed", value=False)
    default = os.environ.get(ICE_ENV, "")
    text = st.sidebar.text_input(
        "ICE servers",
        value=default,
        key="ice_servers",
        help="Only needed when the browser is on another machine than this app: STUN/TURN "
        "URLs, comma-separated (e.g. stun:stun.example.org:3478), or a JSON list. Empty: "
        f"local only. Default from the {ICE_ENV} environment variable. See docs/app.md.",
    )
    try:
        return parse_ice_servers(text)
    except ValueError as exc:
        st.sidebar.error(str(exc))
        return []


def main() -> None:
    st.set_page_config(page_title="Live coaching · posecheck", layout="wide")
    st.title("Live coaching")
    safety_note()
    ice = sidebar()
    specs = load_specs()
    spec = stretch_selector(specs, key="live_stretch")
    if spec is None:
        return
    proc = processor_for(spec)
    video_col, cue_col = st.columns([3, 2], gap="medium")
    with video_col:
        ctx = webrtc_streamer(
            key=f"live-{spec.id}",
            mode=WebRtcMode.SENDRECV,
            rtc_configuration={"iceServers": ice},
            media_stream_constraints={
                "video": {"width": {"ideal": 640}, "height": {"ideal": 480}},
                "audio": False,
            },
            video_frame_callback=make_callback(proc),
            async_processing=True,
        )
        st.caption(
            "Press START and allow the camera. The browser allows it only on https or "
            "localhost. Nothing is recorded or sent anywhere."
        )
    with cue_col:
        st.markdown("#### Cue")
        cue_slot = st.empty()
        speech_slot = st.empty()
        progress_slot = st.empty()
        speed_slot = st.empty()
        if st.button("New set", help="Start counting holds, reps and faults from zero."):
            proc.reset()
            st.session_state.pop("spoken_cue", None)
    # START after STOP begins a new set (the last one's results were shown at STOP).
    if ctx.state.playing and not st.session_state.get("live_was_playing"):
        proc.reset()
        st.session_state.pop("spoken_cue", None)
    st.session_state["live_was_playing"] = ctx.state.playing
    set_slot = st.container()
    with st.expander(f"How to do it: {spec.name}", expanded=not ctx.state.playing):
        show_instructions(spec)

    if not ctx.state.playing:
        cue_slot.markdown(
            cue_html("Press START, then get into the starting position.", "info"),
            unsafe_allow_html=True,
        )
        stats = proc.set_stats()
        if stats is not None:
            with set_slot:
                show_set(stats, "End of set")
        return

    shown_cue, shown_line = None, None
    while ctx.state.playing:
        out = proc.latest()
        if out is not None:
            cue = out.cue
            if cue.text != shown_cue:
                shown_cue = cue.text
                cue_slot.markdown(cue_html(cue.text, cue.kind), unsafe_allow_html=True)
                if st.session_state.get("speak_cues", True) and (
                    st.session_state.get("spoken_cue") != cue.text
                ):
                    st.session_state["spoken_cue"] = cue.text
                    with speech_slot:
                        speak(cue.text)
            r = out.step.result
            reps = reps_text(r.reps)
            hold = (
                f"Hold {r.hold_s:.0f} / {spec.dose.hold_s:.0f} s · "
                if spec.dose.kind == "hold"
                else ""
            )
            side = f" · working side: {r.working_side}" if r.working_side else ""
            line = f"{hold}Reps {reps}{side}"
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
        elif shown_cue is None:
            shown_cue = "Starting the camera…"
            cue_slot.markdown(cue_html(shown_cue, "info"), unsafe_allow_html=True)
        time.sleep(CUE_POLL_S)


main()
