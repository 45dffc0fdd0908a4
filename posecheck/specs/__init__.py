"""Specs: the stretch spec format and loading (``schema``, ``yaml_loader``) and the metric library.

Imports only the wings below it (:mod:`posecheck.body`, :mod:`posecheck.pose`).
"""
