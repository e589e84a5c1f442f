"""A digital Butterworth low-pass and its zero-phase (forward-backward) application, in numpy.

The same definitions as SciPy's ``signal.butter(..., output="sos")`` and
``signal.sosfiltfilt`` (odd padding of ``3 * (2 * sections + 1)`` samples, initial conditions
of Gustafsson's steady state as in ``sosfilt_zi``), written out because importing
``scipy.signal`` costs ~0.9 s, which every ``balance-cam analyze`` paid at its end (issue 17).
``tests/test_filtering.py`` checks both against SciPy to 1e-12.

Design: the analog prototype's poles ``-exp(i*pi*m/(2N))``, ``m = -N+1, -N+3, ..., N-1``,
scaled to the pre-warped cut-off ``4 tan(pi*wn/2)`` (sampling rate 2, Nyquist 1) and mapped by
the bilinear transform ``z = (4 + s) / (4 - s)``; the N zeros fall at ``z = -1``. Conjugate
pole pairs become second-order sections, ordered as SciPy's ``zpk2sos`` orders them (the pair
nearest the unit circle last), with the gain in the first.
"""

from __future__ import annotations

import math

import numpy as np


def butter_lowpass_sos(order: int, wn: float) -> np.ndarray:
    """Second-order sections ``(order // 2, 6)`` ``[b0, b1, b2, 1, a1, a2]`` of a digital
    Butterworth low-pass of even ``order`` with cut-off ``wn`` (fraction of Nyquist, 0-1)."""
    if order < 2 or order % 2:
        raise ValueError(f"order must be even and at least 2, but got {order}")
    if not 0.0 < wn < 1.0:
        raise ValueError(f"wn must be between 0 and 1 (a fraction of Nyquist), but got {wn}")
    m = np.arange(-order + 1, order, 2)
    warped = 4.0 * math.tan(math.pi * wn / 2.0)
    p_analog = -np.exp(1j * math.pi * m / (2 * order)) * warped
    p = (4.0 + p_analog) / (4.0 - p_analog)
    gain = float(np.real(warped**order / np.prod(4.0 - p_analog)))
    upper = p[p.imag > 0]
    upper = upper[np.argsort(-np.abs(1.0 - np.abs(upper)))]  # nearest the unit circle last
    sos = np.zeros((order // 2, 6))
    for k, pole in enumerate(upper):
        sos[k] = [1.0, 2.0, 1.0, 1.0, -2.0 * pole.real, abs(pole) ** 2]
    sos[0, :3] *= gain
    return sos


def _sos_zi(sos: np.ndarray) -> np.ndarray:
    """Initial state ``(sections, 2)`` for a unit step's steady state (SciPy's ``sosfilt_zi``)."""
    zi = np.empty((len(sos), 2))
    scale = 1.0
    for k, (b0, b1, b2, _, a1, a2) in enumerate(sos):
        # lfilter_zi of one biquad: solve (I - A^T) zi = b[1:] - a[1:] * b0 (companion matrix A)
        rhs = np.array([b1 - a1 * b0, b2 - a2 * b0])
        lhs = np.array([[1.0 + a1, -1.0], [a2, 1.0]])
        zi[k] = scale * np.linalg.solve(lhs, rhs)
        scale *= (b0 + b1 + b2) / (1.0 + a1 + a2)
    return zi


def _sosfilt_column(sos: np.ndarray, x: list[float], zi: np.ndarray) -> list[float]:
    """Cascade of biquads, transposed direct form II, one column of plain floats."""
    sections = [tuple(float(v) for v in s) for s in sos]
    z = [[float(a), float(b)] for a, b in zi]
    out = x
    for (b0, b1, b2, _, a1, a2), (z0, z1) in zip(sections, z, strict=True):
        y_col: list[float] = []
        append = y_col.append
        for v in out:
            y = b0 * v + z0
            z0 = b1 * v - a1 * y + z1
            z1 = b2 * v - a2 * y
            append(y)
        out = y_col
    return out


def sosfiltfilt(sos: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Zero-phase filtering of ``x`` (N,) or (N, D) along axis 0 by ``sos``: forwards, then
    backwards, after odd extension of both ends by ``3 * (2 * sections + 1)`` samples. Raises
    ValueError when ``x`` is not longer than that padding."""
    x = np.asarray(x, dtype=np.float64)
    padlen = 3 * (2 * len(sos) + 1)
    if len(x) <= padlen:
        raise ValueError(f"the signal needs more than {padlen} samples, but has {len(x)}")
    cols = x.reshape(len(x), -1)
    zi = _sos_zi(sos)
    out = np.empty_like(cols)
    for c in range(cols.shape[1]):
        col = cols[:, c]
        ext = np.concatenate([2 * col[0] - col[padlen:0:-1], col, 2 * col[-1] - col[-2 : -padlen - 2 : -1]])
        fwd = _sosfilt_column(sos, ext.tolist(), zi * ext[0])
        back = _sosfilt_column(sos, fwd[::-1], zi * fwd[-1])
        out[:, c] = back[::-1][padlen:-padlen]
    return out.reshape(x.shape)
