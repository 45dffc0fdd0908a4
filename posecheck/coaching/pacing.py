"""Offline pacing: how often a recorded clip needs analysing, and decoding ahead in a thread.

Most stretches move slowly, so a 30 fps clip need not go through the pose model 30 times a
second. A spec's analysis rate is the lowest at which its checks still work:

- at least :data:`MIN_ANALYSIS_HZ` (10 Hz): the rate every spec was tuned and tested at (the
  rendered sample clips are 10 fps), and the One Euro smoother's defaults suit 10-30 fps;
- a speed measure (what the speed faults judge) needs :data:`SPEED_SAMPLES` samples in its
  window, so that the first and last samples it differences span at least three quarters of
  the window: a 0.3 s window needs 13.3 Hz, so a 30 fps clip is analysed every 2nd frame;
- a timed movement (``move_time``, e.g. the knee drop's ``too_fast`` since session 13) has no
  window: its crossings are interpolated on frame timestamps, so it needs only the floor.

Frames in between are still decoded, counted and written to the annotated video; they carry
the last analysed frame's result. Live coaching takes the same pictures by their capture times
(the newest camera frame whenever the estimator is free, if one is due), so the pose model sees
what a replay of the same footage would (:class:`posecheck.coaching.live.LiveProcessor`).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

from posecheck.specs.metrics import Speed
from posecheck.specs.schema import StretchSpec

MIN_ANALYSIS_HZ = 10.0
SPEED_SAMPLES = 4

T = TypeVar("T")


def analysis_rate_hz(spec: StretchSpec) -> float:
    """The lowest rate (frames a second) at which ``spec``'s checks hold."""
    windows = [m.window_s for m in spec.measures.values() if isinstance(m, Speed)]
    return max([MIN_ANALYSIS_HZ, *(SPEED_SAMPLES / w for w in windows)])


class FrameSampler:
    """Chooses frames by timestamp so that analysed frames come at least ``rate_hz`` a second
    (works for variable frame rate too): a frame is analysed unless the previous analysed one
    is less than a period, minus half a frame interval, before it."""

    #: Frames within this of due are taken too: times rounded to whole milliseconds, and
    #: rates where a frame falls exactly on the line (25 fps at 10 a second: every 2nd frame
    #: 80 ms apart, the line 100 - 20 = 80 ms), which floating point decided either way.
    SLACK_MS = 1.0

    def __init__(self, rate_hz: float, fps: float | None) -> None:
        half_frame_ms = 500.0 / fps if fps else 0.0
        self._period_ms = 1000.0 / rate_hz if rate_hz > 0 else 0.0
        self._gap_ms = max(0.0, self._period_ms - half_frame_ms - self.SLACK_MS)
        self._last_ms: float | None = None

    def __call__(self, t_ms: float, interval_ms: float | None = None) -> bool:
        """Is the frame at ``t_ms`` analysed? ``interval_ms``: its time since the frame before
        it, for a source whose rate is not known ahead (a live camera, 15 or 30 fps): half of
        it is the margin instead of half of ``fps``'s frame, so a 15 fps camera gives every
        frame at 10 a second, as a replay of its 15 fps recording does."""
        gap = self._gap_ms
        if interval_ms is not None:
            gap = max(0.0, self._period_ms - interval_ms / 2.0 - self.SLACK_MS)
        if self._last_ms is None or t_ms - self._last_ms >= gap:
            self._last_ms = t_ms
            return True
        return False


_DONE = object()


def read_ahead(items: Iterable[T], depth: int = 8) -> Iterator[T]:
    """Iterate ``items`` (for example decoded frames) in a background thread, up to ``depth``
    ahead, so decoding overlaps analysis. Exceptions are raised in the caller; stopping early
    stops the thread."""
    q: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        iterator = iter(items)
        try:
            for item in iterator:
                if not put(item):
                    return
        except BaseException as exc:  # handed to the caller, who re-raises it
            put(exc)
            return
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()  # a generator releases its file here, in its own thread
        put(_DONE)

    thread = threading.Thread(target=work, name="posecheck-decode", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join(timeout=5)
