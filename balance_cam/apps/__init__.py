"""What each command does: analyze, live, batch, review (history, report), models.

Each command is one function here that the CLI calls; they all feed frames through
:func:`balance_cam.apps.analyze.run` into the one :class:`~balance_cam.core.analyzer.Analyzer`.
"""
