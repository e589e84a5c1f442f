"""HTML report and plots, on real analyses of the Pose2Sim clip (the real MediaPipe model).

The two-sided result combines the clip's real left-leg trial with the trial found in the
mirrored landmarks of the same clip (the mirror image of a left-leg stance is a right-leg
stance), so left-against-right plots have two real sides without a second pose run.
"""

from __future__ import annotations

import base64
import dataclasses
import re
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from balance_cam.core.analyzer import analyze_series
from balance_cam.core.metrics import ellipse95
from balance_cam.core.results import AnalysisResult
from balance_cam.core.summary import summarize
from balance_cam.io.results import read_result, write_outputs
from balance_cam.io.sources import iter_frames
from balance_cam.render import plots
from balance_cam.render.report import (
    doc_blocks,
    find_video,
    key_frames,
    render_result_report,
    rst_inline,
)
from tests.conftest import analyzed, sample

CLIP = "pose2sim_cam01.mp4"
XSS = "<script>alert(1)</script>"


@cache
def two_sided() -> AnalysisResult:
    """The clip's real trials plus those of its mirrored landmarks, as one two-sided test."""
    result, series = analyzed(CLIP)
    mirrored = analyze_series(series.mirrored(), source=result.source, model=result.model)
    assert result.trials, "the clip shows a left-leg stance"
    assert {t.stance for t in result.trials} == {"left"}, "the clip is a left-leg stance"
    assert {t.stance for t in mirrored.trials} == {"right"}, "its mirror is a right-leg stance"
    trials = [*result.trials,
              *(dataclasses.replace(t, index=len(result.trials) + i)
                for i, t in enumerate(mirrored.trials))]  # fmt: skip
    return dataclasses.replace(result, trials=tuple(trials), summary=summarize(trials))


def _svgs(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", html, flags=re.S)


def test_report_has_plots_per_leg_and_left_right_bars():
    result = two_sided()
    html = render_result_report(result, video=sample(CLIP))
    svgs = _svgs(html)
    # left/right bars + (trace + stabilogram) per trial
    assert len(svgs) == 1 + 2 * len(result.trials)
    assert "hold: asymmetry" in svgs[0] and "sway: asymmetry" in svgs[0]
    assert f"{result.summary.hold_asymmetry_pct:.0f} %" in svgs[0]
    for side in ("left", "right"):
        assert f"{side} leg stance: sway over time" in html
        assert f"{side} leg stabilogram" in html
    assert html.count("stop: ") >= 2 and ">lift<" in html
    assert result.summary.verdict in html
    # every plot has drawn paths, and no id is defined twice across the page
    assert all(s.count("<path") >= 3 for s in svgs)
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_report_is_self_contained_and_printable():
    html = render_result_report(two_sided(), video=sample(CLIP))
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html)
    assert "@media print" in html and "@page" in html


def test_key_frames_are_the_frames_at_lift_and_stop():
    result = two_sided()
    trial = result.trials[0]
    frames = key_frames(sample(CLIP), [trial.start_frame, trial.end_frame], height_px=240)
    assert set(frames) == {trial.start_frame, trial.end_frame}
    decoded = {f.index: f.rgb for f in iter_frames(sample(CLIP)) if f.index in frames}
    for index, b64 in frames.items():
        jpg = cv2.imdecode(np.frombuffer(base64.b64decode(b64), np.uint8), cv2.IMREAD_COLOR)
        assert jpg.shape[0] == 240
        truth = cv2.resize(decoded[index], (jpg.shape[1], 240), interpolation=cv2.INTER_AREA)
        assert np.abs(jpg[..., ::-1].astype(int) - truth).mean() < 4  # same frame, JPEG noise
    other = cv2.imdecode(np.frombuffer(base64.b64decode(frames[trial.start_frame]), np.uint8), 1)
    last = cv2.imdecode(np.frombuffer(base64.b64decode(frames[trial.end_frame]), np.uint8), 1)
    assert np.abs(other.astype(int) - last).mean() > 1  # lift and stop differ
    html = render_result_report(result, video=sample(CLIP))
    assert html.count('src="data:image/jpeg;base64,') == 2 * len(result.trials)


def test_report_without_video_says_so(tmp_path):
    source = {**two_sided().source, "path": str(tmp_path / "gone.mp4")}
    result = dataclasses.replace(two_sided(), source=source)
    assert find_video(result, tmp_path / "r.json", None) is None
    html = render_result_report(result, video=None)
    assert "data:image/jpeg" not in html
    assert "Key frames unavailable" in html and "gone.mp4" in html
    assert len(_svgs(html)) == 1 + 2 * len(result.trials)  # plots do not need the video


def test_user_text_is_escaped(tmp_path):
    evil_name = tmp_path / f"{XSS}.mp4"
    result = dataclasses.replace(two_sided(), source={**two_sided().source, "path": str(evil_name)})
    notes = '<img src=x onerror="alert(2)"> & felt wobbly'
    html = render_result_report(result, athlete=XSS, notes=notes)
    assert XSS not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt; &amp; felt wobbly" in html


def test_definitions_come_from_the_metric_docstrings():
    from balance_cam.core import metrics, summary

    html = render_result_report(two_sided())
    footer = html[html.index("<footer>"):]
    for module in (metrics, summary):
        for block in doc_blocks(module.__doc__)[1:]:
            for text in block.items or (block.text,):
                assert str(rst_inline(text)) in footer
    assert "Prieto" in footer and "Schubert" in footer and "Springer" in footer


def test_doc_blocks_and_inline_markup():
    blocks = doc_blocks("Summary.\n\nA para\ncontinued.\n\n- ``a``: one\n  more\n- b: two")
    assert blocks[1].text == "A para continued."
    assert blocks[2].items == ("``a``: one more", "b: two")
    assert str(rst_inline("``x<y`` and :mod:`~m.n`")) == "<code>x&lt;y</code> and <code>m.n</code>"


def test_stabilogram_ellipse_is_metrics_ellipse95():
    trace = two_sided().trials[0].trace
    svg = plots.stabilogram_svg(trace, "left")
    xy = np.column_stack([trace.ml_cm, trace.ap_cm])
    centre, semi, _ = ellipse95(xy)
    # the ellipse's extent in data units must match the semi-axes (drawn as a 120-point ring)
    assert "95 % prediction ellipse" in svg
    area = np.pi * semi[0] * semi[1]
    assert area == pytest.approx(two_sided().trials[0].sway.ellipse95_area_cm2, rel=1e-3)
    assert np.allclose(centre, 0, atol=1e-6)  # traces are mean-removed


def test_report_without_trials_still_renders():
    result = dataclasses.replace(two_sided(), trials=(), summary=summarize([]))
    html = render_result_report(result)
    assert "No single-leg stance was found" in html
    assert _svgs(html) == []


def test_cli_report_from_result_json(tmp_path, monkeypatch):
    from balance_cam.cli import app

    result, series = analyzed(CLIP)
    paths = write_outputs(tmp_path / "results", "clip", result, series)
    assert read_result(paths["json"]).trials[0].trace is not None
    out = tmp_path / "report.html"
    runner = CliRunner()
    res = runner.invoke(app, ["report", str(paths["json"]), "--out", str(out),
                              "--video", str(sample(CLIP)), "--athlete", "Sam"])  # fmt: skip
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert "Single-leg balance test: Sam" in html and "data:image/jpeg" in html
    assert len(_svgs(html)) == 1 + 2 * len(result.trials)


@pytest.mark.parametrize(
    ("args", "message"),
    [(["report", "missing.json"], "missing.json: no such file"),
     (["report"], "give a result JSON, or --athlete"),
     (["report", "{bad}"], "not a balance-cam result"),
     (["report", "list.json"], "list.json: not a balance-cam result"),
     (["report", "null.json"], "null.json: not a balance-cam result"),
     (["report", "text.json"], "text.json: not a balance-cam result")],
)  # fmt: skip
def test_cli_report_bad_input_is_one_line(tmp_path, monkeypatch, args, message):
    from balance_cam.cli import app

    monkeypatch.chdir(tmp_path)
    (tmp_path / "{bad}").write_text('{"schema_version": "1.0"}')
    for name, text in (("list.json", "[1, 2]"), ("null.json", "null"), ("text.json", '"str"')):
        (tmp_path / name).write_text(text)  # valid JSON that is not an object
    res = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "r.html")])
    assert res.exit_code == 2
    assert message in res.output and "Traceback" not in res.output
    assert not (tmp_path / "r.html").exists()


def test_find_video_resolves_relative_to_the_json(tmp_path):
    result = dataclasses.replace(two_sided(), source={**two_sided().source, "path": "clip.mp4"})
    (tmp_path / "clip.mp4").write_bytes(Path(sample(CLIP)).read_bytes())
    assert find_video(result, tmp_path / "clip.json", None) == tmp_path / "clip.mp4"
    assert find_video(result, tmp_path / "clip.json", "other.mp4") == Path("other.mp4")
