"""The review wing: what happened in a session, kept and looked back on.

- :mod:`posecheck.review.records`: frozen records of a saved session (what goes in and out);
- :mod:`posecheck.review.store`: the local history in SQLite (profiles, sessions, migrations);
- :mod:`posecheck.review.progress`: trends, weekly counts, frequent faults, CSV;
- :mod:`posecheck.review.pdf`: the dated report for a physiotherapist;
- :mod:`posecheck.review.commands`: the ``history`` and ``report`` command-line subcommands.

Nothing here imports Streamlit or MediaPipe; nothing leaves the machine.
"""
