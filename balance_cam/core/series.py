"""The one pose-series type: landmarks of one person over time.

Arrays (N frames, 33 BlazePose landmarks, see :mod:`balance_cam.core.skeleton`):

- ``t_s`` (N,): frame time in seconds from the container's timestamps, first frame at 0.
- ``image`` (N, 33, 4): x, y in [0, 1] of the image width/height (y down), z (MediaPipe's
  relative depth, same scale as x), visibility in [0, 1]. NaN rows where no person was found.
- ``world`` (N, 33, 4): x, y, z in metres (origin at the hip midpoint, y down), visibility.
- ``to_ref`` (N, 2, 3): the camera's motion, a similarity mapping each frame's pixels onto its
  shot's reference frame (identity for a still camera; :mod:`balance_cam.core.camera`).
- ``camera_ok`` (N,): whether that estimate was reliable.
- ``shot`` (N,): shot number (it increases at every cut of an edited video).

Normalised x and y use different units (width vs height); use :meth:`LandmarkSeries.pixels`
for any distance or angle. Saving and loading live in :mod:`balance_cam.io.landmarks`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from balance_cam.core.camera import IDENTITY, mirrored_to_ref
from balance_cam.core.skeleton import MIRROR, N_LANDMARKS


@dataclass(frozen=True)
class PoseFrame:
    """Landmarks of one person in one frame, as a backend returns them."""

    image: np.ndarray  # (33, 4) x_norm, y_norm, z_norm, visibility
    world: np.ndarray  # (33, 4) x_m, y_m, z_m, visibility

    def __post_init__(self) -> None:
        for name in ("image", "world"):
            shape = getattr(self, name).shape
            if shape != (N_LANDMARKS, 4):
                raise ValueError(f"{name} must have shape (33, 4), but got {shape}")


@dataclass(frozen=True)
class LandmarkSeries:
    """Time-indexed landmarks of one person; see the module docstring for the arrays."""

    t_s: np.ndarray
    image: np.ndarray
    world: np.ndarray
    width_px: int
    height_px: int
    frame_index: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    to_ref: np.ndarray | None = None
    camera_ok: np.ndarray | None = None
    shot: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.t_s)
        if self.to_ref is None or len(self.to_ref) != n:
            object.__setattr__(self, "to_ref", np.broadcast_to(IDENTITY, (n, 2, 3)).copy())
        if self.camera_ok is None or len(self.camera_ok) != n:
            object.__setattr__(self, "camera_ok", np.ones(n, dtype=bool))
        if self.shot is None or len(self.shot) != n:
            object.__setattr__(self, "shot", np.zeros(n, dtype=np.int64))
        if self.image.shape != (n, N_LANDMARKS, 4) or self.world.shape != (n, N_LANDMARKS, 4):
            raise ValueError(
                f"image and world must have shape ({n}, 33, 4), "
                f"but got {self.image.shape} and {self.world.shape}"
            )
        if len(self.frame_index) != n:
            object.__setattr__(self, "frame_index", np.arange(n, dtype=np.int64))
        if n > 1 and not np.all(np.diff(self.t_s) > 0):
            raise ValueError("t_s must be strictly increasing")
        if self.width_px <= 0 or self.height_px <= 0:
            raise ValueError(f"frame size must be positive, but got {self.width_px}x{self.height_px}")

    def __len__(self) -> int:
        return len(self.t_s)

    @property
    def size_wh(self) -> np.ndarray:
        return np.array([self.width_px, self.height_px], dtype=np.float64)

    def pixels(self) -> np.ndarray:
        """(N, 33, 2) landmark positions in pixels (x right, y down)."""
        return self.image[..., :2].astype(np.float64) * self.size_wh

    def stabilised_pixels(self) -> np.ndarray:
        """(N, 33, 2) landmark positions in the camera-stabilised frame of each shot (pixels)."""
        assert self.to_ref is not None
        px = self.pixels()
        return np.einsum("nij,nkj->nki", self.to_ref[:, :, :2], px) + self.to_ref[:, None, :, 2]

    def _take(self, keep: np.ndarray) -> LandmarkSeries:
        return LandmarkSeries(
            self.t_s[keep], self.image[keep], self.world[keep], self.width_px, self.height_px,
            self.frame_index[keep], self.to_ref[keep], self.camera_ok[keep], self.shot[keep],  # type: ignore[index]
        )  # fmt: skip

    def between(self, start_s: float, end_s: float) -> LandmarkSeries:
        """Frames with ``start_s <= t_s <= end_s``."""
        return self._take((self.t_s >= start_s - 1e-9) & (self.t_s <= end_s + 1e-9))

    def mirrored(self) -> LandmarkSeries:
        """The series of the horizontally flipped video: x mirrored, left/right labels swapped."""
        image = self.image[:, MIRROR, :].copy()
        image[..., 0] = 1.0 - image[..., 0]
        world = self.world[:, MIRROR, :].copy()
        world[..., 0] = -world[..., 0]
        assert self.to_ref is not None
        to_ref = np.stack([mirrored_to_ref(m, self.width_px) for m in self.to_ref]).reshape(-1, 2, 3)
        return LandmarkSeries(self.t_s, image, world, self.width_px, self.height_px, self.frame_index,
                              to_ref, self.camera_ok, self.shot)  # fmt: skip


class SeriesBuilder:
    """Appends one frame at a time (live or offline) and hands out a :class:`LandmarkSeries`.

    Memory grows by about 1.1 KB per frame (float32 landmarks, the camera transform; frames are
    never kept).
    """

    _ARRAYS = ("_t", "_fi", "_img", "_wld", "_ref", "_ok", "_shot")

    def __init__(self, width_px: int, height_px: int, capacity: int = 1024) -> None:
        self.width_px, self.height_px = width_px, height_px
        self._t = np.empty(capacity, dtype=np.float64)
        self._fi = np.empty(capacity, dtype=np.int64)
        self._img = np.empty((capacity, N_LANDMARKS, 4), dtype=np.float32)
        self._wld = np.empty((capacity, N_LANDMARKS, 4), dtype=np.float32)
        self._ref = np.empty((capacity, 2, 3), dtype=np.float64)
        self._ok = np.empty(capacity, dtype=bool)
        self._shot = np.empty(capacity, dtype=np.int64)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def append(
        self, t_s: float, frame_index: int, pose: PoseFrame | None, to_ref: np.ndarray | None = None,
        camera_ok: bool = True, shot: int = 0,
    ) -> None:  # fmt: skip
        if self._n == len(self._t):
            self._grow()
        n = self._n
        self._t[n], self._fi[n] = t_s, frame_index
        if pose is None:
            self._img[n] = np.nan
            self._wld[n] = np.nan
        else:
            self._img[n], self._wld[n] = pose.image, pose.world
        self._ref[n] = IDENTITY if to_ref is None else to_ref
        self._ok[n], self._shot[n] = camera_ok, shot
        self._n += 1

    def _grow(self) -> None:
        for name in self._ARRAYS:
            arr = getattr(self, name)
            setattr(self, name, np.concatenate([arr, np.empty_like(arr)]))

    def _series(self, lo: int, hi: int) -> LandmarkSeries:
        a = [getattr(self, name)[lo:hi].copy() for name in self._ARRAYS]
        return LandmarkSeries(a[0], a[2], a[3], self.width_px, self.height_px, a[1], a[4], a[5], a[6])

    def build_window(self, start_s: float, end_s: float) -> LandmarkSeries:
        """The frames with ``start_s <= t_s <= end_s`` (a copy)."""
        t = self._t[: self._n]
        lo = int(np.searchsorted(t, start_s - 1e-9, side="left"))
        hi = int(np.searchsorted(t, end_s + 1e-9, side="right"))
        return self._series(lo, hi)

    def build(self) -> LandmarkSeries:
        return self._series(0, self._n)
