"""The analysis core: pure computation on landmark arrays (numpy only at run time).

skeleton (landmark names) → series (the one pose type) → filtering → stance (events) →
metrics (sway) → summary (left/right, verdict) → results (frozen result types), driven one
frame at a time by :class:`balance_cam.core.analyzer.Analyzer`. Nothing here reads a file,
a camera or a model: see :mod:`balance_cam.io`, :mod:`balance_cam.pose`.
"""
