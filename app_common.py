"""What the app's pages share: loading specs, choosing a stretch, the safety note.

Part of the app (Streamlit is imported here, never in the ``posecheck`` library). It sits
beside ``app.py``, outside ``app_pages/``, so it is plainly not a page.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from posecheck.errors import EstimatorError
from posecheck.estimator.models import ENV_MODEL, check_model_file, resolve_model
from posecheck.live import SAFETY_NOTE, available_specs, spec_dir
from posecheck.spec import StretchSpec

#: The stretch the app opens with: the classic hip internal-rotation stretch and test.
DEFAULT_STRETCH = "prone_internal_rotation"
#: The pose models a person can choose, in words.
POSE_MODELS = {
    "full": "Full (recommended)",
    "lite": "Lite (faster, for a slow computer)",
    "heavy": "Heavy (most accurate, about 3x slower: best for recordings)",
}


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


@st.cache_data(show_spinner=False, max_entries=8)
def _model_problem(path: str, stamp: tuple[float, int], choice: str) -> str | None:
    try:
        check_model_file(resolve_model(choice))
    except EstimatorError as exc:
        return str(exc)
    return None


def pose_model_selector() -> str:
    """The pose model (sidebar), kept across pages; says so if it is not set up."""
    options = dict(POSE_MODELS)
    own = os.environ.get(ENV_MODEL)
    if own and own not in options:
        options[own] = f"Your own ({Path(own).name})"
    current = st.session_state.get("pose_model", own or "full")
    keys = list(options)
    chosen = st.sidebar.selectbox(
        "Pose model",
        keys,
        index=keys.index(current) if current in keys else 0,
        format_func=options.__getitem__,
        help="Which MediaPipe pose model finds your body. Full suits most computers; heavy "
        "is steadier on hard poses but slower, so live it shows fewer frames a second.",
    )
    st.session_state["pose_model"] = chosen
    path = resolve_model(chosen).path
    stamp = (path.stat().st_mtime, path.stat().st_size) if path.is_file() else (0.0, 0)
    problem = _model_problem(str(path), stamp, chosen)
    if problem:
        st.sidebar.error(problem)
    return chosen
