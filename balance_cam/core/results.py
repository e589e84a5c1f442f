"""Result types: frozen dataclasses, converted to and from the versioned JSON contract.

JSON schema version ``SCHEMA_VERSION`` (see the README's output contract): ``source``,
``model``, ``trials`` (time order), ``summary`` (per side, asymmetry, verdict),
``tool_version``. NaN values are written as ``null``. Schema 1.2 adds the test condition and
balance quality per trial (``condition``, ``surface``, ``protocol``, ``hands_on_hips``,
``stable_s``, ``corrections``, ``sway_by_third``, BESS ``errors``); files of schema 1.0 and 1.1
read with those missing (``null`` / defaults: eyes open, firm, unipedal). Schema 1.3 adds the
stop reason ``interrupted`` (:data:`~balance_cam.core.stops.UNFINISHED`: a live hold cut short,
kept but counted by no summary); a reader of 1.2 would count such a trial.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np

from balance_cam.core.jsonvalues import ResultFormatError, clean_json, format_errors, json_type, parse_json

SCHEMA_VERSION = "1.3"
MAX_BESS_ERRORS = 10


_TOP_LEVEL_TYPES: dict[str, str] = {
    "source": "object", "model": "object", "config": "object", "trials": "array", "summary": "object",
    "warnings": "array", "frames_decoded": "number", "frames_with_person": "number",
    "complete": "boolean", "schema_version": "string", "tool_version": "string", "created_at": "string",
}  # fmt: skip
"""The JSON type of each top-level field of a result (:meth:`AnalysisResult.from_dict`)."""


def _nan(value: Any) -> float:
    return float("nan") if value is None else float(value)


@dataclass(frozen=True)
class SwayMetrics:
    """Sway of one trial; definitions in :mod:`balance_cam.core.metrics`."""

    ml_rms_cm: float
    ml_range_cm: float
    path_length_cm: float
    mean_velocity_cm_s: float
    angle_rms_deg: float
    angle_range_deg: float
    ap_rms_cm: float
    ap_range_cm: float
    ellipse95_area_cm2: float
    ml_rms_ll: float
    ml_range_ll: float
    path_length_ll: float
    mean_velocity_ll_s: float
    cm_per_leg_length: float
    scale_source: str  # "world_landmarks" or "height_cm"
    n_samples: int
    fs_hz: float

    @classmethod
    def empty(cls, scale_source: str = "world_landmarks") -> SwayMetrics:
        values: dict[str, Any] = {f.name: float("nan") for f in fields(cls)}
        values.update(scale_source=scale_source, n_samples=0)
        return cls(**values)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SwayMetrics:
        values: dict[str, Any] = {
            f.name: (d.get(f.name) if f.name in ("scale_source", "n_samples") else _nan(d.get(f.name)))
            for f in fields(cls)
        }
        return cls(**values)


@dataclass(frozen=True)
class SwayTrace:
    """Filtered, uniformly sampled sway signals of one trial (for plots), mean removed."""

    t_s: np.ndarray
    ml_cm: np.ndarray
    ap_cm: np.ndarray
    angle_deg: np.ndarray

    @classmethod
    def empty(cls) -> SwayTrace:
        z = np.zeros(0)
        return cls(z, z, z, z)

    def to_dict(self) -> dict[str, Any]:
        return {k: clean_json(np.round(v, 4)) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SwayTrace:
        return cls(*(np.array([_nan(v) for v in d.get(k, [])]) for k in
                     ("t_s", "ml_cm", "ap_cm", "angle_deg")))  # fmt: skip


@dataclass(frozen=True)
class SwayThird:
    """Sway in one third of a trial (:func:`balance_cam.core.quality.sway_by_third`)."""

    ml_rms_cm: float
    mean_velocity_cm_s: float


@dataclass(frozen=True)
class ErrorEvent:
    """One counted BESS error: when (video time), its first kind, and every kind committed with
    it (:mod:`balance_cam.core.bess`)."""

    t_s: float
    kind: str
    kinds: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"t_s": self.t_s, "kind": self.kind, "kinds": list(self.kinds or (self.kind,))}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ErrorEvent:
        return cls(float(d["t_s"]), d["kind"], tuple(d.get("kinds") or (d["kind"],)))


@dataclass(frozen=True)
class Trial:
    """One single-leg stance trial. ``stance`` is the leg stood on (subject's own side).

    Quality fields (:mod:`balance_cam.core.quality`, :mod:`balance_cam.core.bess`): NaN / None
    when unknown (results of schema 1.0 and 1.1); ``errors`` only under BESS."""

    index: int
    stance: str
    start_s: float
    end_s: float
    stop_reason: str
    sway: SwayMetrics
    lift_observed: bool = True
    start_frame: int = 0
    end_frame: int = 0
    trace: SwayTrace | None = field(default=None, compare=False)
    condition: str = "eyes-open"
    surface: str = "firm"
    protocol: str = "unipedal"
    hands_on_hips: bool = False
    stable_s: float = float("nan")
    stable_reason: str | None = None
    corrections: int | None = None
    correction_times_s: tuple[float, ...] = ()
    sway_by_third: tuple[SwayThird, ...] = ()
    last_first_ml_rms_ratio: float = float("nan")
    last_first_velocity_ratio: float = float("nan")
    errors: int | None = None
    error_events: tuple[ErrorEvent, ...] = ()
    errors_max_reason: str | None = None

    def __post_init__(self) -> None:
        if self.stance not in ("left", "right"):
            raise ValueError(f"stance must be 'left' or 'right', but got {self.stance!r}")
        if self.end_s < self.start_s:
            raise ValueError(f"end_s ({self.end_s}) is before start_s ({self.start_s})")
        if math.isfinite(self.stable_s) and not -1e-9 <= self.stable_s <= self.hold_s + 1e-6:
            raise ValueError(f"stable_s must be between 0 and hold_s ({self.hold_s}), "
                             f"but got {self.stable_s}")
        if self.corrections is not None and self.corrections < 0:
            raise ValueError(f"corrections must be >= 0, but got {self.corrections}")
        if self.errors is not None and not 0 <= self.errors <= MAX_BESS_ERRORS:
            raise ValueError(f"errors must be between 0 and {MAX_BESS_ERRORS}, but got {self.errors}")

    @property
    def hold_s(self) -> float:
        return self.end_s - self.start_s

    @property
    def test_key(self) -> tuple[str, str, str]:
        """(condition, surface, protocol): trials compare only with the same key."""
        return (self.condition, self.surface, self.protocol)

    def to_dict(self, traces: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "index": self.index, "stance": self.stance, "start_s": self.start_s,
            "end_s": self.end_s, "hold_s": self.hold_s, "stop_reason": self.stop_reason,
            "lift_observed": self.lift_observed, "start_frame": self.start_frame,
            "end_frame": self.end_frame, "condition": self.condition, "surface": self.surface,
            "protocol": self.protocol, "hands_on_hips": self.hands_on_hips,
            "stable_s": self.stable_s, "stable_reason": self.stable_reason,
            "corrections": self.corrections, "correction_times_s": list(self.correction_times_s),
            "sway_by_third": [asdict(x) for x in self.sway_by_third],
            "sway_last_first_ratio": {"ml_rms": self.last_first_ml_rms_ratio,
                                      "mean_velocity": self.last_first_velocity_ratio},
            "sway": asdict(self.sway),
        }  # fmt: skip
        if self.errors is not None:
            d.update(errors=self.errors, error_events=[e.to_dict() for e in self.error_events],
                     errors_max_reason=self.errors_max_reason)  # fmt: skip
        if traces and self.trace is not None:
            d["trace"] = self.trace.to_dict()
        return clean_json(d)

    @classmethod
    def from_json(cls, text: str) -> Trial:
        """One stored trial (:meth:`to_dict` as JSON text); :class:`ResultFormatError` otherwise."""
        d = parse_json(text)
        with format_errors():
            trial = cls.from_dict(d)
        return trial

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Trial:
        ratio = d.get("sway_last_first_ratio") or {}
        return cls(
            index=d["index"], stance=d["stance"], start_s=d["start_s"], end_s=d["end_s"],
            stop_reason=d["stop_reason"], sway=SwayMetrics.from_dict(d["sway"]),
            lift_observed=d.get("lift_observed", True), start_frame=d.get("start_frame", 0),
            end_frame=d.get("end_frame", 0),
            trace=SwayTrace.from_dict(d["trace"]) if "trace" in d else None,
            condition=d.get("condition") or "eyes-open", surface=d.get("surface") or "firm",
            protocol=d.get("protocol") or "unipedal", hands_on_hips=bool(d.get("hands_on_hips", False)),
            stable_s=_nan(d.get("stable_s")), stable_reason=d.get("stable_reason"),
            corrections=d.get("corrections"),
            correction_times_s=tuple(float(v) for v in d.get("correction_times_s") or ()),
            sway_by_third=tuple(SwayThird(_nan(x.get("ml_rms_cm")), _nan(x.get("mean_velocity_cm_s")))
                                for x in d.get("sway_by_third") or ()),
            last_first_ml_rms_ratio=_nan(ratio.get("ml_rms")),
            last_first_velocity_ratio=_nan(ratio.get("mean_velocity")),
            errors=d.get("errors"),
            error_events=tuple(ErrorEvent.from_dict(e) for e in d.get("error_events") or ()),
            errors_max_reason=d.get("errors_max_reason"),
        )  # fmt: skip


@dataclass(frozen=True)
class SideSummary:
    """Best and mean hold of one stance leg, and the sway of its best (longest) trial."""

    stance: str
    n_trials: int
    best_hold_s: float
    mean_hold_s: float
    best_trial: int
    sway: SwayMetrics
    under_stable_min: bool
    norm: dict[str, Any] | None = None
    stable_s: float = float("nan")
    """Stable time of the best trial."""
    corrections: int | None = None
    """Corrections in the best trial."""
    errors: int | None = None
    """BESS: errors of the best trial (under BESS the best trial is the one with the fewest)."""

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if self.errors is None:
            del d["errors"]
        return clean_json(d)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SideSummary:
        return cls(
            stance=d["stance"], n_trials=d["n_trials"], best_hold_s=_nan(d["best_hold_s"]),
            mean_hold_s=_nan(d["mean_hold_s"]), best_trial=d["best_trial"],
            sway=SwayMetrics.from_dict(d["sway"]), under_stable_min=d["under_stable_min"],
            norm=d.get("norm"), stable_s=_nan(d.get("stable_s")), corrections=d.get("corrections"),
            errors=d.get("errors"),
        )  # fmt: skip


@dataclass(frozen=True)
class Summary:
    """Left against right; definitions in :mod:`balance_cam.core.summary`."""

    left: SideSummary | None
    right: SideSummary | None
    hold_asymmetry_pct: float
    sway_asymmetry_pct: float
    weaker_side: str | None
    flags: tuple[str, ...]
    verdict: str
    condition: str = "eyes-open"
    surface: str = "firm"
    protocol: str = "unipedal"

    @property
    def test_key(self) -> tuple[str, str, str]:
        return (self.condition, self.surface, self.protocol)

    def to_dict(self) -> dict[str, Any]:
        return clean_json({
            "condition": self.condition, "surface": self.surface, "protocol": self.protocol,
            "left": self.left.to_dict() if self.left else None,
            "right": self.right.to_dict() if self.right else None,
            "hold_asymmetry_pct": self.hold_asymmetry_pct,
            "sway_asymmetry_pct": self.sway_asymmetry_pct,
            "weaker_side": self.weaker_side, "flags": list(self.flags), "verdict": self.verdict,
        })  # fmt: skip

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Summary:
        side = {k: SideSummary.from_dict(d[k]) if d.get(k) else None for k in ("left", "right")}
        return cls(
            side["left"], side["right"], _nan(d.get("hold_asymmetry_pct")),
            _nan(d.get("sway_asymmetry_pct")), d.get("weaker_side"), tuple(d.get("flags", [])),
            d.get("verdict", ""), d.get("condition") or "eyes-open", d.get("surface") or "firm",
            d.get("protocol") or "unipedal",
        )


@dataclass(frozen=True)
class AnalysisResult:
    """Everything one analysis produced (one video or one live session)."""

    source: dict[str, Any]
    model: dict[str, Any]
    trials: tuple[Trial, ...]
    summary: Summary
    frames_decoded: int
    frames_with_person: int
    config: dict[str, Any]
    tool_version: str
    created_at: str
    warnings: tuple[str, ...] = ()
    complete: bool = True
    extra: dict[str, Any] = field(default_factory=dict)
    schema_version: str = SCHEMA_VERSION

    @property
    def incomplete_reason(self) -> str:
        """Why the analysis stopped early ("" when complete): the first warning, because
        :meth:`balance_cam.core.analyzer.Analyzer.result` puts the caller's warnings (the
        source's error) before those of its own checks."""
        return "" if self.complete or not self.warnings else self.warnings[0]

    def to_dict(self, traces: bool = False) -> dict[str, Any]:
        return clean_json({
            "schema_version": self.schema_version, "tool_version": self.tool_version,
            "created_at": self.created_at, "source": self.source, "model": self.model,
            "frames_decoded": self.frames_decoded, "frames_with_person": self.frames_with_person,
            "complete": self.complete, "warnings": list(self.warnings),
            "trials": [t.to_dict(traces=traces) for t in self.trials],
            "summary": self.summary.to_dict(), "config": self.config, **self.extra,
        })  # fmt: skip

    def to_json(self, traces: bool = False, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(traces=traces), indent=indent, allow_nan=False)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AnalysisResult:
        """The result a :meth:`to_dict` made; :class:`ResultFormatError` for anything else
        (not an object, a field missing or of the wrong type, another major schema)."""
        if not isinstance(d, dict):
            raise ResultFormatError(f"a JSON {json_type(d)}, not an object")
        major = str(d.get("schema_version", "0")).split(".")[0]
        if major != SCHEMA_VERSION.split(".")[0]:
            raise ResultFormatError(
                f"result schema {d.get('schema_version')} is not readable by schema {SCHEMA_VERSION}"
            )
        for name, kind in _TOP_LEVEL_TYPES.items():
            if name in d and json_type(d[name]) != kind:
                raise ResultFormatError(f"the field '{name}' is a JSON {json_type(d[name])}, not {kind}")
        for i, t in enumerate(d.get("trials") or ()):
            if not isinstance(t, dict):
                raise ResultFormatError(f"trial {i + 1} is a JSON {json_type(t)}, not object")
        known = {f.name for f in fields(cls)} | {"trials", "summary"}
        with format_errors():
            result = cls(
                source=d["source"], model=d.get("model", {}),
                trials=tuple(Trial.from_dict(t) for t in d["trials"]),
                summary=Summary.from_dict(d["summary"]), frames_decoded=d.get("frames_decoded", 0),
                frames_with_person=d.get("frames_with_person", 0), config=d.get("config", {}),
                tool_version=d.get("tool_version", ""), created_at=d.get("created_at", ""),
                warnings=tuple(d.get("warnings", [])), complete=d.get("complete", True),
                extra={k: v for k, v in d.items() if k not in known},
                schema_version=d["schema_version"],
            )  # fmt: skip
        return result

    @classmethod
    def from_json(cls, text: str) -> AnalysisResult:
        """:meth:`from_dict` of JSON text; :class:`ResultFormatError` if it is not JSON."""
        return cls.from_dict(parse_json(text))
