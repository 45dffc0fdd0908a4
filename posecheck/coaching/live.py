"""Live coaching without Streamlit: a latest-frame processor and the end-of-set statistics.

A camera delivers frames faster than pose estimation can process them on a small machine. If
every frame were queued, the delay would grow without bound. :class:`LiveProcessor` keeps only
the *newest* unprocessed frame: ``submit`` replaces a frame still waiting (counted as dropped)
and returns at once; a worker thread processes whatever is newest, and ``latest`` returns the
most recent annotated result. The delay is therefore at most about two processing times.

Time for the checker comes from the camera's capture times (``submit(image, capture_s=...)``,
e.g. a WebRTC frame's presentation time), or from the arrival times on a monotonic clock when
the source gives none. Capture times keep their true spacing however late a busy machine
delivers or processes a frame, so the checker's speeds, debounces and holds come out as they do
on a recording of the same footage.

A picture the camera delivers again, unchanged (a 30 fps camera fed from a 10 fps clip shows
each picture three times), is not shown to the pose model again: MediaPipe's tracking reads a
picture seen three times differently from one seen once, and the set's numbers then differ
from a replay's (:meth:`posecheck.coaching.pipeline.Pipeline.repeat`). Nor is a new picture
that comes before a replay of the same footage would take one: a replay analyses a file at the
stretch's analysis rate (:func:`posecheck.coaching.pacing.analysis_rate_hz`, e.g. every 2nd
picture of a 30 fps file for the clamshell), and MediaPipe's video mode reads a picture otherwise
after other neighbours (``benchmarks/parity.py``: on sample_videos/supine_knee_drop_good_male the
best left ROM 25.4 from every 2nd picture, 29.7 from all). While the worker keeps up, live takes
the replay's pictures by their capture times and the last pose stands for those in between;
once it falls behind (frames dropped) every new picture goes to the model. Pictures a busy
machine loses still move MediaPipe's reading (docs/app.md, "Latency"); when fewer of them
reach the model than a replay would analyse, :class:`BusyNote` tells the person, calmly, and
the set summary says it too.
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from posecheck.coaching.checker import Hold, Summary
from posecheck.coaching.feedback import Cue
from posecheck.coaching.framing import FramingAdvice, camera_advice
from posecheck.coaching.pacing import SPEED_SAMPLES, FrameSampler, analysis_rate_hz
from posecheck.coaching.pipeline import FrameRecord, Pipeline, Step
from posecheck.coaching.session import AdviceHold, Coach, Coaching
from posecheck.coaching.wording import fault_label
from posecheck.errors import SpecError
from posecheck.media.source import Frame
from posecheck.specs.schema import SPEC_DIR, Dose, StretchSpec, load_spec, spec_paths

log = logging.getLogger(__name__)

SAFETY_NOTE = (
    "Form feedback from a camera, not medical advice. Move slowly and stop if anything hurts. "
    "If you have hip pain, ask a healthcare provider before doing these stretches."
)
SPEC_DIR_ENV = "POSECHECK_SPEC_DIR"

Clock = Callable[[], float]  # seconds, monotonic
#: Draws a processed frame for the screen: (camera picture, step, stretch, the session flow or
#: None, mirror) -> the picture to show. A face supplies it (``posecheck.overlay.annotate_step``);
#: without one the picture is shown as it came (flipped when mirrored).
LiveDraw = Callable[[np.ndarray, Step, StretchSpec, "Coaching | None", bool], np.ndarray]

#: The camera-message hook: from one processed step and the stretch, words telling the person
#: how to move the camera ("Move the camera about a metre to your left"), or None when the
#: camera is fine or its place is not known. The camera estimated from the body (issue #12,
#: ``posecheck/body/``) is to supply it; until the lead wires that in, nothing is said.
CameraMessage = Callable[[Step, StretchSpec], "str | None"]


def body_camera_message(step: Step, spec: StretchSpec) -> str | None:
    """The camera hook's default: how to move the camera when the view estimated from the body
    is outside what the stretch's measures tolerate, or None. Nothing while the body is clearly
    not in the stretch's posture: a camera solved on another exercise says nothing useful, and
    the wrong-exercise notice comes first."""
    if step.result.wrong_posture:
        return None
    return camera_advice(step.body.camera, spec)


class CameraNote:
    """The camera message, calm: a new message must last ``onset_s`` before it is shown (one
    odd estimate is no reason to move a camera), a shown one stays at least ``min_show_s``,
    and it goes once it has been gone for ``onset_s``. Time is the frames' time.

    Once the estimate has settled (at least ``settled_span_s`` of views whose azimuth and
    elevation spread are both within ``settled_sd_deg``) the onset is ``settled_onset_s``:
    a steady estimate is evidence enough, and issue #12 wants the message within 3 s of the
    person appearing. On the benchmark's dev split (advised camera moved 50 degrees above
    the true one, ``benchmarks/accuracy.py --camera-message``, 54 clips) that took the clips
    with a message within 3 s from 29 to 48 (median 3.0 s -> 1.0 s); see
    benchmarks/README.md."""

    def __init__(
        self,
        source: CameraMessage = body_camera_message,
        onset_s: float = 3.0,
        min_show_s: float = 6.0,
        settled_onset_s: float = 1.0,
        settled_span_s: float = 1.0,
        settled_sd_deg: float = 5.0,
    ) -> None:
        self.source = source
        self.onset_s = onset_s
        self.settled_onset_s = settled_onset_s
        self.settled_span_s = settled_span_s
        self.settled_sd_deg = settled_sd_deg
        self._min_show_s = min_show_s
        self._hold = AdviceHold(min_show_s=min_show_s, min_onset_s=onset_s)

    def settled(self, step: Step) -> bool:
        """Is the step's camera estimate steady enough for the short onset?"""
        camera = step.body.camera
        return (
            camera.known
            and camera.span_s >= self.settled_span_s
            and camera.azimuth_sd_deg <= self.settled_sd_deg
            and camera.elevation_sd_deg <= self.settled_sd_deg
        )

    def update(self, step: Step, spec: StretchSpec) -> str | None:
        if step.result.wrong_posture or step.pose_frame.switched:
            # Not the stretch: a note shown before that was noticed goes at once (it was about
            # a camera for the stretch being done, and contradicts the wrong-exercise notice).
            # Another person: the camera is estimated again from their body, so the note
            # about the last person's view goes too.
            self._hold = AdviceHold(min_show_s=self._min_show_s, min_onset_s=self.onset_s)
            return None
        try:
            text = self.source(step, spec)
        except Exception:  # a broken estimate must not stop the coaching
            log.exception("the camera message failed")
            text = None
        advice = FramingAdvice(text, "camera") if text else None
        settled = self.settled(step)
        self._hold.min_onset_s = self.settled_onset_s if settled else self.onset_s
        shown = self._hold.update(advice, step.result.t_ms)
        return None if shown is None else shown.text


def busy_text(seen_hz: float, wanted_hz: float, for_s: float | None = None) -> str:
    """The busy-computer notice in words, e.g. "Your computer is busy: it is checking about
    6 pictures a second instead of 13, so angles and counts may be a little off." With
    ``for_s``, said of a finished set ("For 40 s of this set your computer was busy: it
    checked about 6 pictures a second instead of 13, ...").

    The computer is the subject, so one picture or many take the same verb (it said "1
    picture a second are"). "A little off", not "a little low": with pictures lost the
    angles read over as often as under (docs/app.md, the parity test: 6.8 over at 45 of 120)."""
    n, m = max(1, round(seen_hz)), max(1, round(wanted_hz))
    pictures = "picture" if n == 1 else "pictures"
    if for_s is None:
        return (
            f"Your computer is busy: it is checking about {n} {pictures} a second instead "
            f"of {m}, so angles and counts may be a little off."
        )
    return (
        f"For {max(1, round(for_s))} s of this set your computer was busy: it checked about "
        f"{n} {pictures} a second instead of {m}, so angles and counts may be a little off."
    )


class BusyNote:
    """Says when fewer pictures reach the pose model than a replay of the same footage would
    analyse (a busy computer), from the pictures' capture times, never the wall clock.

    ``offered(t_s)``: the camera delivered a new picture (not a repeat) captured at ``t_s``;
    those a replay would analyse are taken at the stretch's analysis rate, as
    :class:`~posecheck.coaching.pacing.FrameSampler` takes them from a file (a 10 fps camera
    wants 10 a second, not the rate). ``seen(t_s)``: the pose model saw the picture captured
    at ``t_s``. Over the last ``window_s`` of capture time, the note is due when the model saw
    fewer than ``share`` of the pictures wanted. The share is 3/4: below it a speed measure's
    window no longer holds the :data:`~posecheck.coaching.pacing.SPEED_SAMPLES` samples its
    analysis rate was set for (the rate is 4 samples a window; at 3/4 of it the window holds
    3). While the worker keeps up it sees exactly the wanted pictures, so the note never shows
    on a machine that keeps up, whatever the camera's rate.

    Calm: a low rate must last ``onset_s`` before the note shows; a shown note stays at least
    ``min_show_s``, and goes once the rate has been back for ``onset_s``. ``busy_s`` and the
    rates while the note showed are kept for the set summary.
    """

    def __init__(
        self,
        rate_hz: float,
        window_s: float = 2.0,
        share: float = (SPEED_SAMPLES - 1) / SPEED_SAMPLES,
        onset_s: float = 3.0,
        min_show_s: float = 5.0,
    ) -> None:
        self.rate_hz = rate_hz
        self.window_s = window_s
        self.share = share
        self._wanted = FrameSampler(rate_hz, FrameLog.NOMINAL_FPS)
        self._wanted_s: deque[float] = deque()
        self._seen_s: deque[float] = deque()
        self._first_s: float | None = None
        self._last_s: float | None = None
        self._hold = AdviceHold(min_show_s=min_show_s, min_onset_s=onset_s)
        self.busy_s = 0.0  # capture time with the note shown and the rate low
        self._seen_sum = 0.0  # rates weighted by that time, for the set summary
        self._wanted_sum = 0.0
        self._shown_since_s: float | None = None  # the last update's time, while shown
        self._low_text: str | None = None  # the note as last said with the rate low

    def offered(self, t_s: float) -> None:
        interval_s = None if self._last_s is None else t_s - self._last_s
        self._restart_if_back(t_s)
        if self._wanted(t_s * 1000.0, None if interval_s is None else interval_s * 1000.0):
            self._wanted_s.append(t_s)

    def seen(self, t_s: float) -> None:
        """Call after the picture's own ``offered``."""
        self._seen_s.append(t_s)

    def _restart_if_back(self, t_s: float) -> None:
        """A capture time before the last one: the camera restarted its clock."""
        if self._last_s is not None and t_s < self._last_s:
            self._wanted = FrameSampler(self.rate_hz, FrameLog.NOMINAL_FPS)
            self._wanted_s.clear()
            self._seen_s.clear()
            self._first_s = None
        if self._first_s is None:
            self._first_s = t_s
        self._last_s = t_s

    def rates_hz(self, t_s: float) -> tuple[float, float] | None:
        """Pictures a second (seen by the model, wanted) over the last ``window_s`` up to
        ``t_s``; None until a whole window has passed."""
        if self._first_s is None or t_s - self._first_s < self.window_s:
            return None
        for times in (self._wanted_s, self._seen_s):
            while times and times[0] <= t_s - self.window_s:
                times.popleft()
        return len(self._seen_s) / self.window_s, len(self._wanted_s) / self.window_s

    def update(self, t_s: float) -> str | None:
        """The note at capture time ``t_s`` (after this picture's ``offered``/``seen``)."""
        rates = self.rates_hz(t_s)
        low = rates is not None and rates[1] > 0 and rates[0] < self.share * rates[1]
        shown = self._hold.update(FramingAdvice("busy", "busy") if low else None, t_s * 1000.0)
        if shown is None or rates is None:
            text = None
        elif low:
            text = self._low_text = busy_text(*rates)
        else:  # held while it clears: said with the rates it was shown for
            text = self._low_text
        if low and text is not None and rates is not None and self._shown_since_s is not None:
            dt = min(max(0.0, t_s - self._shown_since_s), 1.0)  # a stall counts for little
            self.busy_s += dt
            self._seen_sum += dt * rates[0]
            self._wanted_sum += dt * rates[1]
        self._shown_since_s = t_s if text is not None else None
        return text

    def summary(self) -> tuple[float, float, float] | None:
        """(seconds the note showed with the rate low, the mean pictures a second seen then,
        and wanted then), or None when it never showed."""
        if self.busy_s <= 0:
            return None
        return self.busy_s, self._seen_sum / self.busy_s, self._wanted_sum / self.busy_s


def same_picture(a: np.ndarray, b: np.ndarray) -> bool:
    """Is ``a`` the very picture ``b`` again (every pixel equal)? A camera fed from a slower
    clip, or one repeating frames in dim light, delivers a picture several times; see
    :meth:`posecheck.coaching.pipeline.Pipeline.repeat` for why the pose model sees it once."""
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b)


@dataclass(frozen=True)
class LiveFrame:
    """One processed camera frame."""

    seq: int  # submission number (1, 2, ...); gaps are dropped frames
    arrived_s: float  # clock time the frame was submitted
    t_ms: float  # the checker's time of the frame (from its capture time)
    done_s: float  # clock time its annotated image was ready
    image: np.ndarray  # BGR image to show (drawn on by the processor's ``draw``)
    step: Step  # the pipeline's result, with the cue actually shown
    coaching: Coaching | None = None  # the session flow (None when the flow is off)
    camera_note: str | None = None  # how to move the camera (see ``CameraMessage``), calm
    busy_note: str | None = None  # fewer pictures reach the pose model (see ``BusyNote``)

    @property
    def latency_ms(self) -> float:
        return (self.done_s - self.arrived_s) * 1000.0

    @property
    def cue(self) -> Cue:
        return self.step.cue


@dataclass(frozen=True)
class LiveStats:
    """Throughput of the live processor over its recent frames."""

    submitted: int
    processed: int
    dropped: int
    fps: float  # processed frames per second (recent window)
    latency_ms_mean: float  # arrival -> annotated image (recent window); NaN before any
    latency_ms_p95: float
    error: str | None  # the last processing error, if any
    #: frames the pose model saw; the rest of those processed held the last pose (the picture
    #: repeated, or came before the stretch's analysis rate took another)
    estimated: int = 0


@dataclass(frozen=True)
class SetStats:
    """What the person did in this set, for the end-of-set panel."""

    duration_s: float
    hold_target_s: float | None
    holds_completed: int
    reps: tuple[tuple[str, int], ...]  # per side ("left"/"right") or ("both"/"all")
    reps_target_per_side: int
    fault_counts: tuple[tuple[str, int], ...]  # (message, times flagged), most frequent first
    best_rom_deg: tuple[tuple[str, float | None], ...]
    rom_asymmetry_deg: float | None
    rom_label: str | None
    wrong_exercise_s: float = 0.0  # time the set did not look like the stretch (not counted)
    busy_s: float = 0.0  # time the busy-computer note showed with the rate low (``BusyNote``)
    busy_seen_hz: float | None = None  # pictures a second the pose model saw then
    busy_wanted_hz: float | None = None  # ... and a replay of the footage would have taken
    holds: tuple[Hold, ...] = ()  # every time in position: how far the holds got


def set_busy_text(stats: SetStats) -> str | None:
    """The set summary's busy-computer line, or None when the computer kept up."""
    if stats.busy_s <= 0 or stats.busy_seen_hz is None or stats.busy_wanted_hz is None:
        return None
    return busy_text(stats.busy_seen_hz, stats.busy_wanted_hz, for_s=stats.busy_s)


def set_stats(summary: Summary, spec: StretchSpec) -> SetStats:
    counts: dict[str, int] = {}
    for e in summary.faults:
        key = fault_label(e.message, e.side)
        counts[key] = counts.get(key, 0) + 1
    return SetStats(
        duration_s=summary.duration_s,
        hold_target_s=spec.dose.hold_s if spec.dose.kind == "hold" else None,
        holds_completed=summary.holds_completed,
        reps=summary.reps,
        reps_target_per_side=spec.dose.reps_per_side,
        fault_counts=tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
        best_rom_deg=tuple(
            (s, None if v is None else round(v, 1)) for s, v in summary.best_rom_deg
        ),
        rom_asymmetry_deg=None
        if summary.rom_asymmetry_deg is None
        else round(summary.rom_asymmetry_deg, 1),
        rom_label=spec.rom.label if spec.rom is not None else None,
        holds=summary.holds,
    )


class FrameLog:
    """A live set's per-frame records for the history and its charts, taken at the stretch's
    analysis rate (as a replay takes them) and bounded: past ``max_records`` every other
    record is dropped and the rate halves, so a long set keeps its whole span in bounded
    memory (6,000 records: 10 minutes at 10 a second, then 20 minutes at 5)."""

    NOMINAL_FPS = 30.0  # a webcam's usual rate: frames within half a frame of due are taken

    def __init__(self, rate_hz: float, max_records: int = 6000) -> None:
        self.rate_hz = rate_hz
        self.max_records = max(2, max_records)
        self._sample = FrameSampler(rate_hz, self.NOMINAL_FPS)
        self._records: list[FrameRecord] = []
        self._last_ms: float | None = None  # the last step's time: "half a frame" is its half

    def add(self, step: Step) -> None:
        t_ms, last_ms, self._last_ms = step.result.t_ms, self._last_ms, step.result.t_ms
        if not self._sample(t_ms, None if last_ms is None else t_ms - last_ms):
            return
        self._records.append(FrameRecord.from_step(step))
        if len(self._records) > self.max_records:
            del self._records[1::2]
            self.rate_hz /= 2
            self._sample = FrameSampler(self.rate_hz, self.NOMINAL_FPS)
            self._sample(self._records[-1].t_ms)

    def records(self) -> tuple[FrameRecord, ...]:
        return tuple(self._records)


class LiveProcessor:
    """Thread-safe newest-frame processor around a :class:`Pipeline`.

    >>> proc = LiveProcessor(lambda: Pipeline(spec))   # doctest: +SKIP
    >>> proc.submit(bgr_image)                          # from the camera thread
    >>> proc.latest()                                   # newest annotated LiveFrame or None

    The pipeline is created lazily by ``pipeline_factory`` in the worker thread. The worker
    exits after ``idle_stop_s`` without frames and starts again on the next ``submit``.
    ``mirror`` (settable at any time) shows the picture as a mirror does; the pose model and
    the checker always see the camera's own picture, so left and right stay the person's.
    ``draw`` (from a face, e.g. ``posecheck.overlay.annotate_step``) draws the skeleton and
    the HUD in the worker thread, so the camera thread only hands frames over.
    """

    def __init__(
        self,
        pipeline_factory: Callable[[], Pipeline],
        *,
        clock: Clock = time.monotonic,
        idle_stop_s: float = 5.0,
        stats_window: int = 90,
        coaching: bool = True,
        max_gap_s: float = 1.0,
        mirror: bool = False,
        max_records: int = 6000,
        camera_message: CameraMessage = body_camera_message,
        draw: LiveDraw | None = None,
    ) -> None:
        self._factory = pipeline_factory
        self._draw = draw
        self._clock = clock
        self._idle_stop_s = idle_stop_s
        self._max_gap_s = max_gap_s
        self._coaching = coaching
        self.mirror = mirror
        self._max_records = max_records
        self._camera_message = camera_message
        self._lock = threading.Condition()
        self._pipe_lock = threading.Lock()  # held while the pipeline runs or is replaced
        self._pipeline: Pipeline | None = None
        self._thread: threading.Thread | None = None
        self._closed = False
        self._window = stats_window
        self._event_n = 0  # events are numbered across sets, so a reader never misses one
        self._set_n = 0  # sets started (``reset``): a frame from an earlier set is not processed
        self._reset_state()

    def _reset_state(self) -> None:
        self._pending: tuple[int, float, float, float, int, np.ndarray] | None = None
        self._offered: list[float] = []  # capture times of new pictures, for the busy note
        self._last_submitted: np.ndarray | None = None
        self._busy: BusyNote | None = None
        self._latest: LiveFrame | None = None
        self._seq = 0
        self._processed = 0
        self._estimated = 0
        self._dropped = 0
        self._t0_s: float | None = None
        self._last_source_s: float | None = None
        self._paused_s = 0.0  # time without frames, left out of the checker's clock
        self._recent: deque[LiveFrame] = deque(maxlen=self._window)
        self._error: str | None = None
        self._coach: Coach | None = None
        self._log: FrameLog | None = None
        self._wrong_s = 0.0  # time with the wrong-exercise notice up
        self._last_t_ms: float | None = None
        self._last_image: np.ndarray | None = None  # the last picture shown to the pose model
        self._last_new_ms: float | None = None  # the last new picture's time (not a repeat)
        self._due: FrameSampler | None = None  # new pictures for the pose model, as a replay
        self._last_seq = 0  # the last frame processed (a gap: the worker fell behind)
        self._camera_note = CameraNote(self._camera_message)
        self._events: deque[tuple[int, str, str]] = deque(maxlen=50)  # (number, event, words)

    # -- producer side ---------------------------------------------------------------------
    def submit(self, image: np.ndarray, capture_s: float | None = None) -> int:
        """Hand over a BGR frame and, if the source knows it, when it was captured (seconds on
        any clock that only moves forward with the camera); returns its sequence number. Never
        blocks on processing."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the live processor is closed")
            self._seq += 1
            if self._pending is not None:
                self._dropped += 1
            arrived_s = self._clock()
            source_s = arrived_s if capture_s is None else float(capture_s)
            # The checker's time now, on every frame the camera delivers: a stalled stream is
            # a gap between the camera's frames, not between the frames a busy worker took
            # (a first picture that takes a new pose model over a second must not cut it).
            t_ms = self._checker_time_ms(source_s)
            self._pending = (self._seq, arrived_s, source_s, t_ms, self._set_n, image)
            last = self._last_submitted
            if last is None or not same_picture(image, last):  # a new picture, not a repeat
                self._offered.append(source_s)
                self._last_submitted = image.copy()  # a copy: a camera may reuse its buffer
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="posecheck-live", daemon=True
                )
                self._thread.start()
            self._lock.notify()
            return self._seq

    @property
    def closed(self) -> bool:
        with self._lock:
            return self._closed

    def latest(self) -> LiveFrame | None:
        with self._lock:
            return self._latest

    def wait_for(self, seq: int, timeout_s: float) -> LiveFrame | None:
        """Block until a frame numbered ``seq`` or later is processed (tests, benchmarks)."""
        deadline = self._clock() + timeout_s
        with self._lock:
            while self._latest is None or self._latest.seq < seq:
                left = deadline - self._clock()
                if left <= 0:
                    return None
                self._lock.wait(left)
            return self._latest

    # -- worker ----------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._lock:
                if self._pending is None and not self._closed:
                    self._lock.wait(self._idle_stop_s)
                if self._closed or self._pending is None:
                    self._thread = None
                    return
                seq, arrived_s, source_s, t_ms, set_n, image = self._pending
                self._pending = None
                offered, self._offered = self._offered, []  # up to this picture
            try:
                out = self._process(seq, arrived_s, t_ms, image, source_s, offered, set_n)
            except Exception as exc:  # keep the camera running; show the error
                log.exception("live processing failed")
                with self._lock:
                    self._error = f"{type(exc).__name__}: {exc}"
                continue
            with self._lock:
                if out is not None:
                    self._latest = out
                    self._recent.append(out)
                    self._processed += 1
                    self._lock.notify_all()

    def _checker_time_ms(self, source_s: float) -> float:
        """A frame's capture (or arrival) time for the checker, from the set's first frame. A
        gap longer than ``max_gap_s`` (the stream stalled or was paused) is cut to a tenth of a
        second, so time nobody could see never counts toward a hold; so is a capture time that
        went backwards (the camera restarted its clock). Call with ``_lock`` held."""
        if self._t0_s is None:
            self._t0_s = source_s
        elif self._last_source_s is not None:
            gap = source_s - self._last_source_s
            if gap > self._max_gap_s or gap < 0:
                self._paused_s += gap - 0.1
        self._last_source_s = source_s
        return (source_s - self._t0_s - self._paused_s) * 1000.0

    def _process(
        self,
        seq: int,
        arrived_s: float,
        t_ms: float,
        image: np.ndarray,
        source_s: float,
        offered: list[float],
        set_n: int,
    ) -> LiveFrame | None:
        with self._pipe_lock:
            if self._pipeline is None:
                self._pipeline = self._factory()
            pipeline = self._pipeline
            with self._lock:
                if set_n != self._set_n:  # reset() ran while this frame waited
                    return None
                index = self._processed
            if self._due is None:
                self._due = FrameSampler(analysis_rate_hz(pipeline.spec), FrameLog.NOMINAL_FPS)
            busy = self._busy
            if busy is None:
                busy = self._busy = BusyNote(analysis_rate_hz(pipeline.spec))
            for t_s in offered:
                busy.offered(t_s)
            # A picture the camera repeated, or, while the worker keeps up with the camera, a
            # new one before a replay of the same footage would take one (the stretch's
            # analysis rate): the last pose stands for it. Behind (frames were dropped), every
            # new picture goes to the model: waiting for the due time would lose more of them.
            new = self._last_image is None or not same_picture(image, self._last_image)
            behind = seq != self._last_seq + 1
            self._last_seq = seq
            due = False
            if new:  # on the camera's own frame interval (15 fps: every picture at 10 a second)
                last_ms, self._last_new_ms = self._last_new_ms, t_ms
                due = self._due(t_ms, None if last_ms is None else t_ms - last_ms)
            step = None if due or (new and behind) else pipeline.repeat(index, t_ms)
            if step is None:
                step = pipeline.process(Frame(index, t_ms, image))
                self._last_image = image.copy()  # a copy: a camera may reuse its buffer
                busy.seen(source_s)
                with self._lock:
                    self._estimated += 1
            busy_note = busy.update(source_s)
            coaching = None
            if self._coaching:
                if self._coach is None:
                    self._coach = Coach(pipeline.spec)
                coaching = self._coach.update(step)
                step = replace(step, cue=coaching.cue)
                if coaching.events:
                    with self._lock:
                        for name in coaching.events:
                            self._event_n += 1
                            words = self._coach.switch_text if name == "switch_sides" else ""
                            self._events.append((self._event_n, name, words))
            if self._log is None:
                self._log = FrameLog(analysis_rate_hz(pipeline.spec), self._max_records)
            self._log.add(step)
            camera_note = self._camera_note.update(step, pipeline.spec)
            if step.result.wrong_posture and self._last_t_ms is not None:
                self._wrong_s += (t_ms - self._last_t_ms) / 1000.0
            self._last_t_ms = t_ms
            if self._draw is not None:
                annotated = self._draw(image, step, pipeline.spec, coaching, self.mirror)
            else:
                annotated = np.ascontiguousarray(image[:, ::-1]) if self.mirror else image
        return LiveFrame(
            seq, arrived_s, t_ms, self._clock(), annotated, step, coaching, camera_note, busy_note
        )

    def events_after(self, n: int) -> list[tuple[int, str, str]]:
        """Session events (countdown, go, tick, chime, switch_sides, wrong_exercise) numbered
        after ``n``, with their words where they have any, so a page polling now and then
        misses none."""
        with self._lock:
            return [e for e in self._events if e[0] > n]

    # -- statistics ------------------------------------------------------------------------
    def stats(self) -> LiveStats:
        with self._lock:
            recent = list(self._recent)
            submitted, processed, dropped, error, estimated = (
                self._seq,
                self._processed,
                self._dropped,
                self._error,
                self._estimated,
            )
        fps = math.nan
        if len(recent) >= 2 and recent[-1].done_s > recent[0].done_s:
            fps = (len(recent) - 1) / (recent[-1].done_s - recent[0].done_s)
        lat = np.array([f.latency_ms for f in recent]) if recent else np.array([])
        return LiveStats(
            submitted,
            processed,
            dropped,
            fps,
            float(lat.mean()) if lat.size else math.nan,
            float(np.percentile(lat, 95)) if lat.size else math.nan,
            error,
            estimated,
        )

    def summary(self) -> Summary | None:
        """The checker's summary of the set so far (None before the first processed frame)."""
        with self._pipe_lock:
            if self._pipeline is None or self.latest() is None:
                return None
            return self._pipeline.checker.summary()

    def records(self) -> tuple[FrameRecord, ...]:
        """The set's per-frame records so far (see :class:`FrameLog`), for the history."""
        with self._pipe_lock:
            return () if self._log is None else self._log.records()

    def set_stats(self) -> SetStats | None:
        with self._pipe_lock:
            if self._pipeline is None or self.latest() is None:
                return None
            stats = set_stats(self._pipeline.checker.summary(), self._pipeline.spec)
            stats = replace(stats, wrong_exercise_s=round(self._wrong_s, 1))
            busy = None if self._busy is None else self._busy.summary()
            if busy is None:
                return stats
            busy_s, seen_hz, wanted_hz = busy
            return replace(
                stats,
                busy_s=round(busy_s, 1),
                busy_seen_hz=round(seen_hz, 1),
                busy_wanted_hz=round(wanted_hz, 1),
            )

    # -- lifecycle -------------------------------------------------------------------------
    def reset(self) -> None:
        """Start a new set: fresh smoothing, checker, cues and statistics. The pipeline
        (with its pose model) is built again by the same factory that built the first one,
        so a new set has every option the first had, and the pose model's tracking (its frame
        times, whom it follows, when it last looked for other people) belonged to the old set
        and goes with it. It is built here, not on the set's first frame, so the set's first
        frames do not wait for a model (about 0.3 s once MediaPipe is loaded); a processor
        that has not built one yet builds it on its first frame, as always."""
        with self._pipe_lock:
            old, self._pipeline = self._pipeline, None
            with self._lock:
                self._set_n += 1
                self._reset_state()
            if old is not None:
                old.close()
                try:
                    self._pipeline = self._factory()
                except Exception:  # reported by the worker when it tries again on a frame
                    log.exception("building the new set's pipeline failed")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._pending = None
            thread = self._thread
            self._lock.notify_all()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)
        with self._pipe_lock:
            if self._pipeline is not None:
                self._pipeline.close()
                self._pipeline = None


def parse_ice_servers(text: str | None) -> list[dict[str, object]]:
    """ICE servers for WebRTC from a setting: empty -> none (local network only); a JSON list
    of RTCIceServer objects; or comma/space-separated URLs (``stun:host:3478``,
    ``turn:user:pass@host:3478`` gives a TURN server with credentials).

    Raises ValueError with a readable message for anything else.
    """
    text = (text or "").strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"ICE servers: not valid JSON ({exc})") from None
        if not isinstance(data, list) or not all(isinstance(s, dict) and "urls" in s for s in data):
            raise ValueError('ICE servers: the JSON must be a list of {"urls": ...} objects')
        return data
    servers: list[dict[str, object]] = []
    for url in text.replace(",", " ").split():
        scheme, _, rest = url.partition(":")
        if scheme not in ("stun", "stuns", "turn", "turns") or not rest:
            raise ValueError(
                f"ICE servers: '{url}' is not a stun:/turn: URL (e.g. stun:stun.example.org:3478)"
            )
        if "@" in rest and scheme.startswith("turn"):
            cred, _, host = rest.rpartition("@")
            user, _, password = cred.partition(":")
            servers.append({"urls": [f"{scheme}:{host}"], "username": user, "credential": password})
        else:
            servers.append({"urls": [url]})
    return servers


def spec_dir() -> Path:
    """Where the app reads stretch specs: ``$POSECHECK_SPEC_DIR`` or ``stretch_specs/``."""
    return Path(os.environ.get(SPEC_DIR_ENV) or SPEC_DIR)


def available_specs(
    directory: str | Path | None = None,
) -> tuple[dict[str, StretchSpec], list[str]]:
    """Every loadable spec by id, and an error message for each file that is broken, so one
    bad file (perhaps still being written) does not take the app down."""
    specs: dict[str, StretchSpec] = {}
    errors: list[str] = []
    for path in spec_paths(spec_dir() if directory is None else directory):
        try:
            spec = load_spec(path)
        except SpecError as exc:
            errors.append(str(exc))
            continue
        specs[spec.id] = spec
    return specs, errors


def idle_cue_text(finished: StretchSpec | None, chosen: StretchSpec) -> str:
    """The cue while the camera is off. Before a set: how to begin. After STOP: the set's
    summary sits under the camera, out of sight on a phone (the cue went back to the set-up
    words, as if nothing had happened), and START begins another set. A set of another
    stretch than the one now chosen gets the set-up words: this stretch's camera differs."""
    if finished is not None and finished.id == chosen.id:
        return (
            f"Set done: the summary of your {finished.name} set is under the camera. "
            "Press START for another set."
        )
    # The picture is in "How to do it", below the video and the side panel.
    return (
        "Set the camera up as the Camera placement picture in How to do it (further down) "
        "shows, press START, then get into the starting position."
    )


def dose_text(dose: Dose) -> str:
    """The dose in words, e.g. "Hold 30 s, 5 times per side, alternating sides"."""
    n = dose.reps_per_side
    if dose.kind == "hold":
        head = f"Hold {dose.hold_s:.0f} s, {n} {'time' if n == 1 else 'times'}"
    else:
        head = f"{n} {'repetition' if n == 1 else 'repetitions'}"
    tail = {
        "alternating": " per side, alternating sides",
        "each": " per side, all on one side, then the other",
        "both": ", both sides together",
        "none": "",
    }[dose.sides]
    return head + tail
