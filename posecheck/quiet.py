"""Keep native library logs (MediaPipe, TensorFlow Lite, absl/glog, FFmpeg) off the terminal.

Those libraries write straight to file descriptor 2 from C++ threads, so Python's logging
cannot hold them. :func:`native_logs_silenced` points fd 2 at a temporary file for the
duration and gives Python's ``sys.stderr`` the real terminal, so posecheck's own messages
and progress bar still show. What the libraries said is returned by the context (for
``--verbose`` runs nothing is redirected).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

#: Log levels the libraries read from the environment when they load.
QUIET_ENV = {
    "GLOG_minloglevel": "2",  # glog/absl in MediaPipe: errors only
    "TF_CPP_MIN_LOG_LEVEL": "3",  # TensorFlow Lite
    "SVT_LOG": "1",  # the AV1 encoder, if it is used
}


class NativeLog:
    """What the native libraries wrote while silenced (read after the block)."""

    def __init__(self) -> None:
        self.text = ""


@contextmanager
def native_logs_silenced(enabled: bool = True) -> Iterator[NativeLog]:
    log = NativeLog()
    if not enabled:
        yield log
        return
    for key, value in QUIET_ENV.items():
        os.environ.setdefault(key, value)
    sys.stderr.flush()
    saved_fd = os.dup(2)
    saved_stderr = sys.stderr
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        sys.stderr = open(  # noqa: SIM115  (closed below, after fd 2 is restored)
            saved_fd, "w", encoding="utf-8", errors="backslashreplace", closefd=False
        )
        try:
            yield log
        finally:
            sys.stderr.flush()
            sys.stderr.close()
            sys.stderr = saved_stderr
            os.dup2(saved_fd, 2)
            os.close(saved_fd)
            sink.seek(0)
            log.text = sink.read().decode("utf-8", errors="replace")
