"""Known signals of a corpus clip: the body sway applied to the person, and the handheld
camera's path as a moving crop window over the larger source frame.

Sign conventions are those of :func:`balance_cam.testing.synthetic.rotation_matrix`: a positive
angle turns a point above the centre towards image-right (clockwise on screen, y down).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from balance_cam.testing.synthetic import rotation_matrix


# -- sway --------------------------------------------------------------------------------
@dataclass(frozen=True)
class SwaySignal:
    """Known body sway angle (degrees, + = pelvis towards image right in the source frame):
    a sum of sines ``(amplitude_deg, freq_hz, phase_rad)`` plus smooth weight shifts
    ``(centre_s, size_deg, duration_s)`` (raised-cosine steps)."""

    components: tuple[tuple[float, float, float], ...] = ()
    shifts: tuple[tuple[float, float, float], ...] = ()

    def angle_deg(self, t_s: np.ndarray | float) -> np.ndarray:
        t = np.asarray(t_s, np.float64)
        out = np.zeros(t.shape)
        for amp, freq, phase in self.components:
            out = out + amp * np.sin(2 * np.pi * freq * t + phase)
        for centre, size, dur in self.shifts:
            x = np.clip((t - centre + dur / 2) / dur, 0.0, 1.0)
            out = out + size * 0.5 * (1 - np.cos(np.pi * x))
        return out

    def scaled(self, factor: float) -> SwaySignal:
        return SwaySignal(tuple((a * factor, f, p) for a, f, p in self.components),
                          tuple((c, s * factor, d) for c, s, d in self.shifts))  # fmt: skip


NO_SWAY = SwaySignal()


def centred_rms(x: np.ndarray) -> float:
    """Root mean square about the mean (NaN ignored)."""
    x = np.asarray(x, np.float64)
    x = x[np.isfinite(x)]
    return float(np.sqrt(np.mean((x - x.mean()) ** 2))) if len(x) else float("nan")


def realistic_sway(seed: int, duration_s: float, rms_deg: float = 1.2, n_components: int = 4,
                   band_hz: tuple[float, float] = (0.1, 1.0)) -> SwaySignal:  # fmt: skip
    """A seeded sway signal with centred RMS ``rms_deg`` over ``duration_s``.

    ``n_components`` sines at log-uniform frequencies in ``band_hz`` with amplitude
    ``~ f^-1/2`` (more power at low frequency: centre-of-pressure sway spectra fall with
    frequency above ~0.1 Hz, e.g. Prieto et al. 1996), a slow drift (less than one cycle over
    the clip) and one weight shift per ~15 s (alternating sides, 1.5-3 s each). The sum is
    scaled to the requested centred RMS (peaks of about 3-4° for 0.8-2° RMS).
    """
    rng = np.random.default_rng(seed)
    lo, hi = np.log(band_hz[0]), np.log(band_hz[1])
    freqs = np.exp(rng.uniform(lo, hi, n_components))
    comps = [(float(rng.uniform(0.5, 1.0) / np.sqrt(f)), float(f), float(rng.uniform(0, 2 * np.pi)))
             for f in freqs]  # fmt: skip
    drift_hz = 1.0 / (duration_s * rng.uniform(1.5, 3.0))
    comps.append((float(rng.uniform(1.0, 2.0)), float(drift_hz), float(rng.uniform(0, 2 * np.pi))))
    n_shifts = max(1, round(duration_s / 15))
    centres = np.sort(rng.uniform(0.15, 0.85, n_shifts)) * duration_s
    sign = rng.choice([-1.0, 1.0])
    shifts = []
    for c in centres:
        shifts.append((float(c), float(sign * rng.uniform(1.0, 2.0)), float(rng.uniform(1.5, 3.0))))
        sign = -sign
    raw = SwaySignal(tuple(comps), tuple(shifts))
    grid = np.arange(0.0, duration_s, 0.01)
    return raw.scaled(rms_deg / centred_rms(raw.angle_deg(grid))) if rms_deg > 0 else NO_SWAY


# -- camera --------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class CameraPath:
    """Per-frame window motion: ``zoom`` (N,), ``pan_frac`` (N, 2) in output widths,
    ``shake_frac`` (N, 2) in output heights, ``roll_deg`` (N,) (+ = image turned clockwise, the
    sign of :func:`balance_cam.testing.synthetic.rotation_matrix`)."""

    zoom: np.ndarray
    pan_frac: np.ndarray
    shake_frac: np.ndarray
    roll_deg: np.ndarray

    @classmethod
    def still(cls, n: int) -> CameraPath:
        return cls(np.ones(n), np.zeros((n, 2)), np.zeros((n, 2)), np.zeros(n))

    def offset_h(self, aspect_wh: float) -> np.ndarray:
        """(N, 2) window-centre offsets in units of the zoom-1 window height."""
        return self.pan_frac * aspect_wh + self.shake_frac

    def select(self, sel: np.ndarray) -> CameraPath:
        """The frames ``sel`` (a boolean mask or indices) of this path."""
        return CameraPath(self.zoom[sel], self.pan_frac[sel], self.shake_frac[sel], self.roll_deg[sel])


@dataclass(frozen=True)
class HandheldCamera:
    """A phone held in the hand: zoom steps, a slow pan, hand shake and roll.

    ``zoom_keys``: zoom factors (1 = the framing of a still camera, < 1 wider) reached in turn,
    each change a raised-cosine of ``zoom_change_s`` at evenly spaced times (a pinch zoom);
    ``pan_frac``: peak-to-peak horizontal pan as a fraction of the output width (vertical: 40 %
    of it); ``shake_frac``: RMS hand shake (1-3 Hz hand movement plus 8-12 Hz physiological
    tremor) as a fraction of the output height; ``roll_deg``: largest roll (slow, 8-16 s).
    """

    zoom_keys: tuple[float, ...] = (1.0, 0.85, 1.1)
    zoom_change_s: float = 2.0
    pan_frac: float = 0.12
    shake_frac: float = 0.003
    roll_deg: float = 2.0
    seed: int = 0

    def path(self, t_s: np.ndarray, duration_s: float) -> CameraPath:
        rng = np.random.default_rng(self.seed)
        t = np.asarray(t_s, np.float64)
        zoom = np.full(t.shape, self.zoom_keys[0])
        n = len(self.zoom_keys)
        for i in range(1, n):
            centre = duration_s * i / n
            x = np.clip((t - centre + self.zoom_change_s / 2) / self.zoom_change_s, 0.0, 1.0)
            zoom = zoom + (self.zoom_keys[i] - self.zoom_keys[i - 1]) * 0.5 * (1 - np.cos(np.pi * x))
        pan_period = rng.uniform(12.0, 25.0)
        ph = rng.uniform(0, 2 * np.pi, 2)
        pan = np.stack([np.sin(2 * np.pi * t / pan_period + ph[0]),
                        0.4 * np.sin(2 * np.pi * t / (0.7 * pan_period) + ph[1])], axis=1)  # fmt: skip
        pan *= self.pan_frac / 2  # peak-to-peak pan_frac (of the width; converted by offset_h)
        shake = np.zeros((len(t), 2))
        for f_lo, f_hi, weight in ((1.0, 3.0, 1.0), (8.0, 12.0, 0.4)):
            for _ in range(3):
                f = rng.uniform(f_lo, f_hi)
                shake += weight * np.sin(2 * np.pi * f * t[:, None] + rng.uniform(0, 2 * np.pi, 2))
        if len(t) > 1 and np.any(shake):
            shake *= self.shake_frac / np.sqrt(np.mean(np.sum((shake - shake.mean(0)) ** 2, axis=1)))
        roll_period = rng.uniform(8.0, 16.0)
        roll = self.roll_deg * np.sin(2 * np.pi * t / roll_period + rng.uniform(0, 2 * np.pi))
        return CameraPath(zoom, pan, shake, roll)

    @property
    def label(self) -> str:
        return (f"handheld (zoom {'→'.join(f'{z:g}' for z in self.zoom_keys)}, pan {self.pan_frac:g}W, "
                f"roll ≤{self.roll_deg:g}°)")  # fmt: skip


def as3(m: np.ndarray) -> np.ndarray:
    """A (2, 3) affine as a (3, 3) matrix."""
    return np.vstack([m, [0.0, 0.0, 1.0]])


def window_matrix(centre_xy: np.ndarray, height_px: float, roll_deg: float,
                  out_wh: tuple[int, int]) -> np.ndarray:  # fmt: skip
    """(2, 3) source→output affine of a crop window: ``centre_xy`` maps to the output centre,
    ``height_px`` source pixels to the output height, the image turned by ``roll_deg``."""
    w, h = out_wh
    a = (h / height_px) * rotation_matrix((0.0, 0.0), roll_deg)[:, :2]
    return np.column_stack([a, np.array([w / 2, h / 2]) - a @ np.asarray(centre_xy, np.float64)])


def fit_window(src_wh: tuple[int, int], aspect_wh: float, path: CameraPath, person_box: np.ndarray,
               theta_deg: np.ndarray | None = None, pivot_xy: np.ndarray | None = None,
               margin_frac: float = 0.01) -> tuple[np.ndarray, float]:  # fmt: skip
    """Centre (x, y) and zoom-1 height (source pixels) of the largest crop window that stays
    inside the source frame at every frame of ``path``, also after the content is rotated by
    ``theta_deg`` (N,) about ``pivot_xy`` (N, 2) (so no border is ever shown), with the person's
    box ``[[x0, y0], [x1, y1]]`` inside the output (``margin_frac`` of its height) at every frame.

    Window at frame i: centre ``c0 + h0 * offset_i``, height ``h0 / zoom_i``, turned by roll_i.
    A source point seen at an output corner is ``pivot + R(-theta) (c0 + h0 v - pivot)``, linear
    in ``h0`` for a given ``c0``; candidate centres run from the person's box centre to the
    frame centre, and the one giving the largest window wins.
    """
    n = len(path.zoom)
    theta = np.zeros(n) if theta_deg is None else np.radians(np.asarray(theta_deg, np.float64))
    pivot = np.zeros((n, 2)) if pivot_xy is None else np.asarray(pivot_xy, np.float64)
    size = np.array(src_wh, np.float64)
    corners = np.array([[-aspect_wh / 2, -0.5], [aspect_wh / 2, -0.5], [aspect_wh / 2, 0.5],
                        [-aspect_wh / 2, 0.5]])  # fmt: skip
    off = path.offset_h(aspect_wh)
    v = off[:, None, :] + rotate_vectors(-np.radians(path.roll_deg), corners) / path.zoom[:, None, None]
    w = rotate_vectors(-theta, v)  # (N, 4, 2)
    box_c = person_box.mean(axis=0)
    best: tuple[float, np.ndarray] | None = None
    for blend in np.linspace(0.0, 1.0, 21):
        c0 = (1 - blend) * box_c + blend * size / 2
        q = pivot + rotate_vectors(-theta, (c0 - pivot)[:, None, :])[:, 0]  # (N, 2)
        if np.any(q < 0) or np.any(q > size):
            continue
        qq = np.broadcast_to(q[:, None, :], w.shape)
        with np.errstate(divide="ignore"):
            lim = np.where(w > 1e-12, (size - qq) / w, np.where(w < -1e-12, qq / -w, np.inf))
        h0 = float(min(lim.min(), size[1], size[0] / aspect_wh))
        better = best is None or h0 > best[0]
        if h0 > 0 and better and _box_in_view(c0, h0, path, aspect_wh, person_box, margin_frac):
            best = (h0, c0)
    if best is None:
        raise ValueError(f"no crop window of aspect {aspect_wh:.3f} keeps the person's box "
                         f"{np.round(person_box).tolist()} in view without showing a border of the "
                         f"{src_wh[0]}x{src_wh[1]} source at zoom "
                         f"{path.zoom.min():.2f}-{path.zoom.max():.2f}")  # fmt: skip
    return best[1], best[0]


def rotate_vectors(angle_rad: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rotate (N, K, 2) vectors by per-frame angles (N,), as :func:`rotation_matrix` does."""
    c, s = np.cos(angle_rad)[:, None], np.sin(angle_rad)[:, None]
    x, y = v[..., 0], v[..., 1]
    return np.stack([c * x - s * y, s * x + c * y], axis=-1)


def _box_in_view(c0: np.ndarray, h0: float, path: CameraPath, aspect_wh: float, box: np.ndarray,
                 margin_frac: float) -> bool:  # fmt: skip
    """All four box corners inside the output (in output heights) at every frame."""
    pts = np.array([box[0], [box[1][0], box[0][1]], box[1], [box[0][0], box[1][1]]], np.float64)
    centre = c0 + h0 * path.offset_h(aspect_wh)  # (N, 2)
    rel = (pts[None] - centre[:, None]) * (path.zoom / h0)[:, None, None]  # output heights
    q = rotate_vectors(np.radians(path.roll_deg), rel)
    lim = np.array([aspect_wh / 2, 0.5]) - margin_frac
    return bool(np.all(np.abs(q) <= lim))
