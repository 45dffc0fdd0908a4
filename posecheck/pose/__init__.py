"""Pose: the landmark data model, the estimator (the only mediapipe import), smoothing, recordings.

Imports only :mod:`posecheck.media` below it.
"""
