"""Errors a user can act on. Each message names what is wrong and what to do."""

from __future__ import annotations


class PosecheckError(Exception):
    """Base class: the message is meant for the person using posecheck."""


class SourceError(PosecheckError):
    """A video, image or camera could not be read."""


class SpecError(PosecheckError):
    """A stretch spec file is missing, malformed or inconsistent."""


class EstimatorError(PosecheckError):
    """The pose estimator could not be created or run."""


class OutputError(PosecheckError):
    """An output file (report, annotated video) cannot or must not be written there."""
