"""What the app's pages share: loading specs, choosing a stretch, the safety note.

Part of the app (Streamlit is imported here, never in the ``posecheck`` library). It sits
beside ``app.py``, outside ``app_pages/``, so it is plainly not a page.
"""

from __future__ import annotations

import streamlit as st

from posecheck.live import SAFETY_NOTE, available_specs, spec_dir
from posecheck.spec import StretchSpec

#: The stretch the app opens with: the classic hip internal-rotation stretch and test.
DEFAULT_STRETCH = "prone_internal_rotation"


@st.cache_data(show_spinner=False)
def _specs(stamps: tuple[tuple[str, float], ...]) -> tuple[dict[str, StretchSpec], list[str]]:
    return available_specs()


def load_specs() -> dict[str, StretchSpec]:
    """All stretch specs, re-read when a file is added or changed; broken ones reported."""
    stamps = tuple((str(p), p.stat().st_mtime) for p in sorted(spec_dir().glob("*.yaml")))
    specs, errors = _specs(stamps)
    for err in errors:
        st.warning(f"A stretch file could not be loaded and is left out:\n\n{err}")
    return specs


def stretch_selector(specs: dict[str, StretchSpec], key: str) -> StretchSpec | None:
    """A select box of all stretches by name; returns the chosen spec."""
    if not specs:
        st.error(f"No stretch specs found in {spec_dir()}.")
        return None
    ids = sorted(specs, key=lambda i: specs[i].name)
    if st.session_state.get(key) not in ids:
        st.session_state[key] = DEFAULT_STRETCH if DEFAULT_STRETCH in ids else ids[0]
    chosen = st.selectbox("Stretch", ids, key=key, format_func=lambda i: specs[i].name)
    return specs[chosen]


def safety_note() -> None:
    st.caption(f":material/health_and_safety: {SAFETY_NOTE}")
