"""posecheck: camera-assisted form coach for hip internal-rotation stretches.

Run with ``make run`` (``streamlit run app.py``); it serves http://127.0.0.1:8501 only.
This script only lays out the navigation; the home page and the two tools are in ``app_pages/``.
"""

from __future__ import annotations

import streamlit as st

from app_common import METRIC_CSS, history_sidebar, page_icon

# The icon is drawn locally: a Material or emoji icon makes the browser fetch it from a font host.
st.set_page_config(page_title="posecheck", page_icon=page_icon(), layout="wide")
navigation = st.navigation(
    [
        st.Page("app_pages/home.py", title="Home", icon=":material/home:", default=True),
        # The URL of a page is its file name: /Live_coaching, /Replay_review.
        st.Page("app_pages/Live_coaching.py", title="Live coaching", icon=":material/videocam:"),
        st.Page("app_pages/Replay_review.py", title="Replay review", icon=":material/movie:"),
        st.Page("app_pages/Progress.py", title="Progress", icon=":material/trending_up:"),
    ]
)
st.html(METRIC_CSS)  # on every page
history_sidebar()  # profile and save switch, on every page
navigation.run()
