"""posecheck's home page: what it does, the safety note, the stretches (see ``app.py``)."""

from __future__ import annotations

import streamlit as st

from posecheck.coaching.live import SAFETY_NOTE, available_specs

st.set_page_config(page_title="posecheck", layout="wide")

st.title("posecheck")
st.markdown(
    "A form coach for hip internal-rotation stretches. Put your phone or laptop camera where "
    "the picture shows, and it watches your form, times your holds, counts your repetitions "
    "and measures the rotation on each side. Everything runs on this computer; nothing is "
    "sent anywhere, and no video is recorded. A summary of each set is kept on this computer "
    "so you can follow your progress (switch it off in the sidebar)."
)
st.warning(SAFETY_NOTE, icon=":material/health_and_safety:")
st.markdown(
    "#### How to start\n"
    "1. Open **Live coaching** and choose your stretch. Read its steps.\n"
    "2. Put the camera where the placement picture shows (2 to 3 m away), so your whole "
    "body is in view when you are in the starting position.\n"
    "3. Press **START** and allow the camera. Get into the starting position and keep "
    "still: a 3-2-1 countdown starts by itself, then the coach times your holds and says "
    "what to fix.\n"
    "4. Press **STOP** when you are done: the set's results are shown and kept on the "
    "**Progress** page.\n\n"
    "Filmed yourself already? **Replay review** analyses a recorded clip or a photo."
)
left, right = st.columns(2)
with left:
    st.page_link("app_pages/Live_coaching.py", label="Live coaching", icon=":material/videocam:")
    st.caption("Coaching from your webcam as you stretch: cues on screen and spoken.")
with right:
    st.page_link("app_pages/Replay_review.py", label="Replay review", icon=":material/movie:")
    st.caption("Analyse a recorded clip: annotated video, timeline, faults, exports.")
st.page_link("app_pages/Progress.py", label="Progress", icon=":material/trending_up:")
st.caption("Your sets over weeks: angles per side, holds, faults, a report for your physio.")

specs, errors = available_specs()
st.markdown("#### Stretches")
st.markdown(
    "\n".join(f"- **{s.name}** ({s.position}): {s.summary}" for s in specs.values())
    or "No stretch specs found."
)
for err in errors:
    st.warning(f"A stretch file could not be loaded and is left out:\n\n{err}")
