"""posecheck: a camera-assisted form coach for hip internal-rotation stretches.

Data flows one way: source -> estimator -> smoothing -> geometry/metrics -> checker ->
feedback -> overlay / report. Only :mod:`posecheck.pose.estimator` imports mediapipe.
"""

__version__ = "0.1.0"
