"""Body: geometry on landmarks, and the synthetic body used by tests and framing.

The camera estimated from the body and the fitted leg model grow here. Imports only
:mod:`posecheck.pose` and :mod:`posecheck.media` below it.
"""
