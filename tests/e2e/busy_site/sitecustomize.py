"""A busy computer, for the browser test only: on the app server started with this folder
first on PYTHONPATH (tests/e2e/test_browser.py, ``busy_app_url``), the pose model takes
``POSECHECK_TEST_POSE_DELAY_S`` longer a picture, so on any machine fewer pictures reach it
than the stretch wants (its analysis rate, capped by the camera's frame rate) and the
busy-computer note must show. Nothing in the app knows of it.
"""

from __future__ import annotations

import functools
import os
import time

_DELAY_S = float(os.environ.get("POSECHECK_TEST_POSE_DELAY_S") or 0.0)

if _DELAY_S > 0:
    from posecheck.pose.estimator import TasksPoseEstimator

    _estimate = TasksPoseEstimator.estimate

    @functools.wraps(_estimate)
    def _slow_estimate(self: object, frame: object) -> object:
        time.sleep(_DELAY_S)
        return _estimate(self, frame)

    TasksPoseEstimator.estimate = _slow_estimate  # type: ignore[method-assign]
