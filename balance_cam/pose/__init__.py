"""Pose backends: one interface (:mod:`~balance_cam.pose.base`), one factory
(:mod:`~balance_cam.pose.factory`), implementations imported lazily; model files in
:mod:`~balance_cam.pose.registry` and :mod:`~balance_cam.pose.install`.

To add a backend: implement :class:`~balance_cam.pose.base.PoseBackend` in a module here and
give it a branch in :func:`~balance_cam.pose.factory.create_backend`.
"""
