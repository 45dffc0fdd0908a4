"""Coaching: from a spec's measures to states, faults, holds, reps, cues and camera advice.

Imports only the wings below it (specs, body, pose, media) and the base modules.
"""
