"""balance_cam: single-leg balance test from a camera.

The whole analysis in a few lines::

    from balance_cam import analyze_video
    result = analyze_video("sample_videos/pose2sim_cam01.mp4")
    for trial in result.trials:
        print(trial.stance, trial.hold_s, trial.sway.ml_rms_cm)

Importing the package has no side effects; heavy dependencies (mediapipe, PyAV)
are imported lazily by the modules that need them.
"""

from balance_cam._version import __version__

__all__ = ["__version__", "analyze_video"]


def analyze_video(path, config=None, **kwargs):  # noqa: ANN001, ANN201 - thin re-export
    """Analyse one recorded video; see :func:`balance_cam.apps.analyze.analyze_video`."""
    from balance_cam.apps.analyze import analyze_video as _analyze_video

    return _analyze_video(path, config=config, **kwargs)
