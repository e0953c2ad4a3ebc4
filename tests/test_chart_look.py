"""What a reader checks on the charts and the PDF report: each y tick label is its tick's value at the precision
the step needs (6,75 % beside 7,00 %, not 6,8 beside 7,0), no text touches the riktvärde or gränsvärde line and a
label stands on its value's side of it, the files are written and nothing else, the PDF has its pages with
"Sida N av M", TrueType fonts embedded, readable sizes, Swedish numbers and no folder path or snake_case name; the
charts the chart process draws are the ones drawn here, whatever becomes of it."""

from __future__ import annotations

import io
import math
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from matplotlib import get_data_path
from matplotlib import ft2font
from matplotlib.path import Path as LinePath
from matplotlib.text import Text

from conftest import build_plan
from invest.base.memory import usable_cores
from invest.outputs import chart_process
from invest.outputs.budget_charts import chart_figures, drawn_charts
from invest.outputs.budget_figures import CHART_DPI, write_charts
from invest.outputs.budget_view import budget_figures
from invest.outputs.chart_process import ChartProcess
from invest.outputs.chart import FOOTER_INCH, GUARD_IDS, SwedishTicks, comparison_chart, delay_chart, settle
from invest.outputs.pdf_fonts import FONT_FILES, face, subset
from invest.outputs.pdf_report import BOTTOM, MARGIN, TOP, report_pages, write_pdf_report
from invest.pipeline import Inputs, calculate_plan


@pytest.fixture(scope="module")
def calc():
    return calculate_plan(Inputs())


@pytest.fixture(scope="module")
def figures(calc):
    return chart_figures(budget_figures(calc))


def parse(label: str) -> float:
    """A Swedish tick or value label back to its number ("6,75 %" → 0.0675, "−1 064" → -1064)."""
    text = label.replace("\u2212", "-").replace("\u00a0", "").replace(" ", "").replace(",", ".")
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)


def drawn(fig):
    settle(fig)
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def visible_texts(fig):
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def guard_lines(fig):
    return [line for ax in fig.axes for line in ax.get_lines() if line.get_gid() in GUARD_IDS]


def assert_ticks_follow_the_step(fig) -> None:
    drawn(fig)
    for ax in fig.axes:
        if not ax.axison:
            continue
        low, high = sorted(ax.get_ylim())
        shown = [(value, label.get_text()) for value, label in zip(ax.get_yticks(), ax.get_yticklabels())
                 if low - 1e-12 <= value <= high + 1e-12]
        assert len(shown) >= 3, shown
        decimals = {len(re.sub(r"[^\d]", "", label.split(",")[1])) if "," in label else 0 for _, label in shown}
        assert len(decimals) == 1, shown  # one precision on an axis
        for value, label in shown:
            assert parse(label) == pytest.approx(value, abs=1e-12), (label, value)


def assert_nothing_touches_a_limit(fig) -> None:
    renderer = drawn(fig)
    lines = guard_lines(fig)
    for line in lines:
        path = LinePath(line.get_transform().transform(line.get_xydata()))
        touching = [t.get_text() for t in visible_texts(fig)
                    if path.intersects_bbox(t.get_window_extent(renderer).padded(1), filled=False)]
        assert not touching, f"{line.get_gid()}: {touching}"


def assert_labels_on_their_side(fig, limit: float) -> None:
    """A share label over a horizontal limit line stands over it, one under it under it."""
    renderer = drawn(fig)
    for ax in fig.axes:
        for line in (ln for ln in ax.get_lines() if ln.get_gid() == "riktvarde" and len(set(ln.get_ydata())) == 1):
            level = ax.transData.transform((0, line.get_ydata()[0]))[1]
            for text in ax.texts:
                if not text.get_text().endswith("%"):
                    continue
                value = parse(text.get_text())
                box = text.get_window_extent(renderer)
                if value > limit:
                    assert box.y0 > level, text.get_text()
                elif value < limit:
                    assert box.y1 < level, text.get_text()


def test_the_formatter_shows_the_step(calc):
    ticks = SwedishTicks(100, " %")
    assert ticks.format_ticks([0.0675, 0.07, 0.0725]) == ["6,75 %", "7,00 %", "7,25 %"]
    assert ticks.format_ticks([0.065, 0.07, 0.075]) == ["6,5 %", "7,0 %", "7,5 %"]
    assert ticks.format_ticks([0.0, 0.02, 0.04]) == ["0 %", "2 %", "4 %"]
    assert SwedishTicks().format_ticks([0, 5000, 10000]) == ["0", "5 000", "10 000"]
    assert SwedishTicks().format_ticks([-2.5, 0, 2.5]) == ["−2,5", "0,0", "2,5"]


def test_every_budget_chart_reads_right(figures, calc):
    assert list(figures) == ["andel", "kapitalkostnader", "investeringar", "skuld"]
    for name, fig in figures.items():
        assert_ticks_follow_the_step(fig)
        assert_nothing_touches_a_limit(fig)
    assert_labels_on_their_side(figures["andel"], calc.conventions.riktvarde)
    assert {line.get_gid() for line in guard_lines(figures["andel"])} == {"riktvarde"}
    assert {line.get_gid() for line in guard_lines(figures["kapitalkostnader"])} == {"riktvarde"}
    assert {line.get_gid() for line in guard_lines(figures["skuld"])} == {"gransvarde"}


def test_the_charts_say_it_in_swedish(figures, calc):
    texts = {name: " ".join(t.get_text() for t in visible_texts(fig)) for name, fig in figures.items()}
    for expected, name in [("Riktvärde 8 %", "andel"), ("Marginal (mnkr)", "andel"),
                           ("Andel av totala intäkter", "andel"),
                           ("Avskrivningar", "kapitalkostnader"), ("Räntekostnader", "kapitalkostnader"),
                           ("Totala intäkter", "kapitalkostnader"), ("Mnkr", "kapitalkostnader"),
                           ("Investeringar per verksamhetsområde", "investeringar"),
                           ("varav medfinansiering", "investeringar"),
                           ("Räntebärande skuld / totala intäkter", "skuld"), ("Gränsvärde 50 %", "skuld")]:
        assert expected in texts[name], (expected, name)
    for text in texts.values():
        assert not re.search(r"\d\.\d", text)  # a decimal comma, never a point
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", text)
        assert "/" not in text.replace("models/", "").replace(" / ", "")  # no folder of the user's machine
    margins = calc.plan_period()["marginal"].to_list()
    row = [t.get_text() for t in figures["andel"].axes[0].texts if t.xycoords == ("data", "axes fraction")]
    assert [parse(r) for r in row] == [round(m) for m in margins]


def test_budget_charts_writes_the_four_pngs_and_nothing_else(tmp_path, calc):
    written = write_charts(drawn_charts(budget_figures(calc)), tmp_path, "plan")
    assert [p.name for p in written] == ["plan_andel.png", "plan_kapitalkostnader.png", "plan_investeringar.png",
                                         "plan_skuld.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in written)


def assert_same_charts(drawn, here):
    assert list(drawn) == list(here)
    for name, chart in drawn.items():
        assert np.array_equal(chart.pixels, here[name].pixels) and chart.png == here[name].png, name


def test_the_chart_process_draws_what_would_be_drawn_here(calc):
    """The charts the chart process draws while the report writes its workbook are, pixel for pixel and byte for
    byte, the ones this process draws; each came from it, and leaving the block ends it."""
    figures = budget_figures(calc)
    here = drawn_charts(figures)
    with ChartProcess() as charts:
        process = charts.process
        charts.draw(figures)
        away = charts.result()
        assert charts.result() is away  # asked again: the same charts, not drawn again
    assert charts.started == (chart_process.HANDS_ON_DESCRIPTORS and usable_cores() >= 2)
    if charts.started:
        assert charts.received == list(here)
        assert process.poll() is not None and charts.process is None and charts.shared is None
    assert_same_charts(away, here)


@pytest.mark.parametrize("boot", [
    "import sys; sys.exit(3)",  # stops
    "print('andel 0 3 x', flush=True)",  # says something else
    "print('andel 0 10 10', flush=True)",  # names pixels it never wrote
    "print('budget 0 1 1', flush=True)",  # names a chart the plan does not show
    "import time; time.sleep(60)",  # hangs: after TIMEOUT the charts are drawn here
])
def test_a_chart_process_that_fails_leaves_its_charts_to_be_drawn_here(calc, monkeypatch, boot):
    """A chart process that fails in any way: every chart it did not deliver is drawn here, the same as ever."""
    figures = budget_figures(calc)
    monkeypatch.setattr(chart_process, "BOOT", boot)
    monkeypatch.setattr(chart_process, "TIMEOUT", 3.0)
    with ChartProcess() as charts:
        charts.draw(figures)
        drawn = charts.result()
    assert charts.received == []
    assert_same_charts(drawn, drawn_charts(figures))


def test_the_chart_process_reads_nothing_from_the_current_folder(tmp_path, monkeypatch, calc):
    """The chart process is an isolated Python: a json.py (or any module) in the folder the report is run from is
    never imported by it."""
    marker = tmp_path / "imported"
    (tmp_path / "json.py").write_text(f"open({str(marker)!r}, 'w').close()\nfrom _json import *\n")
    monkeypatch.chdir(tmp_path)
    with ChartProcess() as charts:
        charts.draw(budget_figures(calc))
        charts.result()
    assert not marker.exists()
    if charts.started:
        assert charts.received == budget_figures(calc).shown


def test_leaving_the_block_before_the_figures_stops_the_chart_process():
    """A report that stops at an error in its plan never hands over figures: its chart process ends when the block
    is left, and asking for charts that were never handed over is a mistake of the caller's."""
    with pytest.raises(RuntimeError):
        with ChartProcess() as charts:
            process = charts.process
            raise RuntimeError("fel i planen")
    if process is not None:
        assert process.poll() is not None
    with pytest.raises(ValueError):
        charts.result()


def test_kontroll_and_forsening_charts(tmp_path):
    """Shares close to the riktvärde on both sides: every label clear of the line, on its value's side; the ticks
    at the step's precision; None (no Region sheet) leaves a gap."""
    years = list(range(2026, 2036))
    without = [0.0675, 0.07, 0.0725, 0.0788, 0.0795, 0.0801, 0.0799, 0.078, 0.0770, 0.0760]
    with_ = [0.0690, 0.0725, 0.0760, 0.0799, 0.0800, 0.0812, 0.0805, 0.0797, 0.0781, 0.0773]
    fig = comparison_chart(years, without, with_, 0.08, "Med och utan förslaget", "Förslag: p.xlsx · plan: x.xlsx",
                           tmp_path / "k.png")
    assert_ticks_follow_the_step(fig)
    assert_nothing_touches_a_limit(fig)
    assert_labels_on_their_side(fig, 0.08)
    fig = delay_chart(years, with_, [None] + without[1:], 0.08, "Försening av X 2 år", [tmp_path / "f.png"],
                      footer="Plan: x.xlsx")
    assert_ticks_follow_the_step(fig)
    assert_nothing_touches_a_limit(fig)
    assert_labels_on_their_side(fig, 0.08)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.png", "k.png"]


def test_a_bar_just_under_the_line_keeps_its_label_off_it(tmp_path):
    """Three years at 7,9–8,1 % of totala intäkter: the labels of bars just under and just over the riktvärde."""
    objects = [{"id": "A", "tillgangsklass": "it", "driftsattning": "löpande", "utgifter": {2026: 1}}]
    region = [{"ar": y, "totala_intakter": 1000, "befintliga_avskrivningar": a}
              for y, a in zip(range(2026, 2030), (79.0, 80.4, 79.6, 80.0))]
    path = build_plan(tmp_path / "p.xlsx", objects, years=range(2026, 2030), outturn_year=None, region=region)
    calc = calculate_plan(Inputs(plan=path, flat_rate=0.0))
    figures = chart_figures(budget_figures(calc))
    for fig in figures.values():
        assert_ticks_follow_the_step(fig)
        assert_nothing_touches_a_limit(fig)
    assert_labels_on_their_side(figures["andel"], calc.conventions.riktvarde)


def test_a_plan_without_region_sheet_leaves_out_what_needs_revenue(tmp_path):
    path = build_plan(tmp_path / "p.xlsx", [{"id": "A", "tillgangsklass": "it", "driftsattning": "löpande",
                                              "utgifter": {2026: 400}}], years=range(2026, 2029), outturn_year=None)
    calc = calculate_plan(Inputs(plan=path))
    out = tmp_path / "ut"
    assert [p.name for p in write_charts(drawn_charts(budget_figures(calc)), out, "p")] == [
        "p_kapitalkostnader.png", "p_investeringar.png"]
    pdf = write_pdf_report(calc, out / "p.pdf", [], [])
    assert page_count(pdf) == 3  # front page, one page of two charts, the tables


def page_count(pdf) -> int:
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf.read_bytes()))


def test_the_pdf_report(tmp_path, calc):
    target = tmp_path / "rapport.pdf"
    assert write_pdf_report(calc, target, [], []) == target
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rapport.pdf"]  # written atomically, nothing left over
    data = target.read_bytes()
    assert data[:5] == b"%PDF-"
    assert page_count(target) == 4  # front page, two pages of two charts, the tables
    assert b"/FontFile2" in data and b"/Type3" not in data  # TrueType embedded
    assert re.search(rb"/MediaBox \[ ?0 0 595\.\d+ 841\.\d+ ?\]", data)  # A4 portrait first
    if shutil.which("pdfimages"):  # each chart's pixels shown at the resolution they were drawn at: unresampled
        listing = subprocess.run(["pdfimages", "-list", str(target)], capture_output=True, text=True,
                                 check=True).stdout.splitlines()[2:]
        assert [line.split()[12:14] for line in listing] == [[str(CHART_DPI)] * 2] * 4, listing
    if shutil.which("pdffonts"):  # every font embedded, as a subset, with a map back to the characters
        fonts = subprocess.run(["pdffonts", str(target)], capture_output=True, text=True,
                               check=True).stdout.splitlines()[2:]
        assert fonts and all(line.split()[-5:-2] == ["yes", "yes", "yes"] for line in fonts), fonts
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True,
                              check=True).stdout
        pages = text.split("\f")
        for n in range(1, 5):
            assert f"Sida {n} av 4" in pages[n - 1] and "investeringsplan.xlsx" in pages[n - 1]
        for expected in ("Kapitalkostnader mot riktvärdet", "Sammanfattning", "Nyckeltal", "Diagram 1.", "Diagram 4.",
                         "Tabell 1.", "Tabell 2.", "Räntebärande skuld", "Skuld / totala intäkter",
                         "varav medfinansiering", "Medfinansiering mottagen", "TOTALT"):
            assert expected in text, expected
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", text)  # no snake_case name
        assert str(tmp_path) not in text and not re.search(r"(^|\s)/(home|tmp|work|Users)/", text)
        assert not re.search(r"\d\.\d", text.replace(".yaml", ""))


def test_the_embedded_font_draws_the_glyphs_of_the_font_file():
    """The font cut down for the PDF keeps every glyph's id; the glyphs used (å, ä, ö built of parts, the dashes)
    have the outlines and advances of the font file's own, read by FreeType; the others are empty."""
    no_scale = ft2font.LoadFlags.NO_SCALE if hasattr(ft2font, "LoadFlags") else ft2font.LOAD_NO_SCALE  # < 3.10
    for bold in (False, True):
        font = face(bold)
        used = set(font.glyphs("Kapitalkostnader åäö ÅÄÖ – − 0123456789 % · Sida"))
        cut = ft2font.FT2Font(io.BytesIO(subset(font, used)))
        whole = ft2font.FT2Font(str(Path(get_data_path()) / "fonts" / "ttf" / FONT_FILES[bold]))
        assert cut.num_glyphs == whole.num_glyphs
        for glyph in used:
            mine, theirs = cut.load_glyph(glyph, no_scale), whole.load_glyph(glyph, no_scale)
            assert mine.horiAdvance == theirs.horiAdvance
            assert all(np.array_equal(a, b) for a, b in zip(cut.get_path(), whole.get_path())), glyph
        cut.load_glyph(font.glyphs("Z")[0], no_scale)
        assert len(cut.get_path()[0]) == 0


def test_pdf_pages_are_a4_with_readable_type(calc):
    pages = report_pages(calc, [("Plan", "investeringsplan.xlsx"), ("Räntebas", "bundet_kapital")],
                         ["En mening."])
    assert len(pages) == 4
    for page in pages:
        width, height = page.size
        assert {round(width, 2), round(height, 2)} == {8.27, 11.69}
        texts = [t for t in page.texts if t.text.strip()]
        assert min(t.size for t in texts) >= 8
        for t in texts:  # no line runs off its page: each within the margins, as set in the embedded font
            extent = face(t.bold).width(t.text, t.size) / 72
            start = t.x - {"left": 0.0, "right": 1.0, "center": 0.5}[t.align] * extent
            assert MARGIN - 0.01 <= start and start + extent <= width - MARGIN + 0.01, t.text
            assert BOTTOM / 2 <= t.y <= height - TOP / 2, t.text
    # the chart pages show each chart's pixels at the size it was drawn, so its text keeps its size in points
    figures = chart_figures(budget_figures(calc))
    images = [picture for page in pages for picture in page.pictures]
    assert len(images) == len(figures) == 4
    for image, fig in zip(images, figures.values()):
        rows, columns = image.pixels.shape[:2]
        width, height = fig.get_size_inches()
        assert columns == round(width * CHART_DPI) and rows == round((height - FOOTER_INCH) * CHART_DPI)
        assert image.width == pytest.approx(columns / CHART_DPI) and image.height == pytest.approx(rows / CHART_DPI)
        settle(fig)
        renderer = fig.canvas.get_renderer()
        shown_texts = [t for t in visible_texts(fig)  # all but the source line, left out in the PDF
                       if t.get_window_extent(renderer).y0 >= FOOTER_INCH * fig.dpi]
        assert min(t.get_fontsize() for t in shown_texts) >= 8
    front = " ".join(t.text for t in pages[0].texts)
    assert "En mening." in front and "bundet_kapital" not in front and "bundet kapital" in front
    assert math.isclose(pages[-1].size[0], 11.69)  # the wide tables on a landscape page
