"""The report as a PDF a planner can attach as it is: A4, a front page with the summary in sentences and the key
figures, the budget charts two to a page with captions, then the budget's tables with the years as columns (the
region's capital costs against totala intäkter, and the investment plan per verksamhetsområde). Every page names
the plan's file (never a folder) and "Sida N av M"; fonts are embedded as TrueType. The pages are laid out here as
values (pdf_file.Page: text placed line by line, rules, bands, the charts' pixels) and written by pdf_file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from invest.analyses.breakdown import budget_shape
from invest.base import swedish
from invest.base.atomic import atomic_path
from invest.engine.calculation import Calculation
from invest.outputs import labels
from invest.outputs.budget_figures import CHART_DPI, Drawn
from invest.outputs.budget_view import budget_figures
from invest.outputs.chart_style import BREACH_COLOUR, CHAR_EM, FOOTER_COLOUR, FOOTER_INCH, TEXT_COLOUR, wrap
from invest.outputs.pdf_file import Band, Page, Picture, Rule, Text, write_pdf

TITLE = "Kapitalkostnader mot riktvärdet"
PORTRAIT, LANDSCAPE = (8.27, 11.69), (11.69, 8.27)
MARGIN, TOP, BOTTOM = 0.7, 0.7, 0.8  # inches: left and right, above the first line, under the last (the footer)
LINE = 1.35  # line height in em
# em: how far the top of a line of text (DejaVu Sans' l) is above its baseline, and the foot of one (its p) below it
LINE_TOP, LINE_FOOT = 0.76, 0.21
TABLE_SIZE, TEXT_SIZE, CAPTION_SIZE = 8.5, 10.0, 9.0
CHART_TOP, CAPTION_GAP, CHART_GAP = 0.5, 0.1, 0.3  # inches: above the first chart, chart to caption, caption to chart
RULE_COLOUR, SHADE_COLOUR = "#9a9a9a", "#f1f3f6"
REGION_ROWS = ("investeringar", "medfinansiering_mottagen", "avskrivningar", "rantekostnader", "kapitalkostnader",
               "totala_intakter", "andel", "marginal", "rantebarande_skuld", "skuldandel")
BOLD_ROWS = ("kapitalkostnader", "andel")
YEARS_PER_TABLE = 12
CAPTIONS = {
    "andel": "Kapitalkostnadernas andel av totala intäkter per år. Röda staplar är år över riktvärdet, den "
             "streckade linjen är riktvärdet {limit}. Raden under diagrammet är marginalen till riktvärdet i mnkr: "
             "hur mycket kapitalkostnaderna kan öka innan andelen når riktvärdet (negativ: hur mycket de behöver "
             "minska).",
    "kapitalkostnader": "Avskrivningar och räntekostnader per år i mnkr. Den streckade linjen är riktvärdet "
                        "som belopp, {limit} av årets totala intäkter; där en stapel når över linjen är andelen "
                        "över riktvärdet. Raden under diagrammet är totala intäkter.",
    "kapitalkostnader_netto": "Avskrivningar och räntekostnader per år i mnkr. Den streckade linjen är de "
                              "kapitalkostnader vid vilka andelen (netto, utan intäktsförd medfinansiering) når "
                              "riktvärdet {limit}. Raden under diagrammet är totala intäkter.",
    "kapitalkostnader_utan": "Avskrivningar och räntekostnader (internränta på planens objekt) per år i mnkr. "
                             "Planen saknar bladet Region, så totala intäkter och riktvärdet kan inte visas.",
    "investeringar": "Investeringar per verksamhetsområde och år i mnkr, som budgetens tabell över "
                     "investeringsplanen. Den skrafferade delen är medfinansiering (bidrag från andra); raden under "
                     "diagrammet är medfinansieringen per år.",
    "investeringar_utan": "Investeringar per verksamhetsområde och år i mnkr, som budgetens tabell över "
                          "investeringsplanen. Planen har ingen medfinansiering.",
    "skuld": "Räntebärande skuld, minskad med likvida medel, i förhållande till totala intäkter per år mot "
             "gränsvärdet {debt_limit}. Under diagrammet står skulden i mnkr, och likvida medel när planen anger "
             "dem.",
}


@dataclass
class Flow:
    """Text and tables placed down pages of one size, a new page begun when a block does not fit."""

    size: tuple[float, float] = PORTRAIT
    pages: list[Page] = field(default_factory=list)
    y: float = 0.0  # inches from the foot of the page to the top of the next block

    def __post_init__(self):
        self.new_page()

    def new_page(self) -> None:
        self.pages.append(Page(self.size))
        self.y = self.size[1] - TOP

    @property
    def page(self) -> Page:
        return self.pages[-1]

    @property
    def width(self) -> float:
        return self.size[0] - 2 * MARGIN

    def room(self, height: float) -> None:
        """A new page unless `height` inches fit above the footer."""
        if self.y - height < BOTTOM and self.y < self.size[1] - TOP:
            self.new_page()

    def paragraph(self, text: str, size: float = TEXT_SIZE, gap: float = 0.08, indent: float = 0.0,
                  bold: bool = False, colour: str = TEXT_COLOUR) -> None:
        lines = wrap(text, self.width - indent, size)
        height = len(lines) * size * LINE / 72
        self.room(height)
        _put_lines(self.page, MARGIN + indent, self.y, lines, size, bold, colour)
        self.y -= height + gap

    def heading(self, text: str, size: float = 13.0) -> None:
        self.room(size * LINE / 72 + 0.6)  # a heading keeps a little of what follows on its page
        self.y -= 0.1
        self.paragraph(text, size, gap=0.1, bold=True)

    def table(self, headers: list[str], rows: list[list[str]], widths: list[float], size: float = TABLE_SIZE,
              bold: set[int] = frozenset(), indented: set[int] = frozenset(),
              colours: dict[tuple[int, int], str] | None = None, left: set[int] = frozenset({0})) -> None:
        """A table: a header row (each header on up to two lines), then rows shaded every other; columns in `left`
        are left-aligned, the rest right-aligned; each cell's text already formatted and wrapped to its column."""
        line = size * LINE / 72
        head_lines = [[h] for h in headers]
        if any(len(h) * size * CHAR_EM / 72 > w - 0.12 for h, w in zip(headers, widths)):  # then all break alike
            head_lines = [h.split(" ", 1) if c not in left else [h] for c, h in enumerate(headers)]
        head_height = max(len(h) for h in head_lines) * line + 0.08
        cell_lines = [[wrap(c, w - 0.12, size) if i in left else [c] for i, (c, w) in enumerate(zip(r, widths))]
                      for r in rows]
        heights = [max(len(c) for c in r) * line + 0.07 for r in cell_lines]
        self.room(head_height + sum(heights[:3]))
        self._header(head_lines, widths, head_height, size, left)
        for r, (cells, height) in enumerate(zip(cell_lines, heights)):
            if self.y - height < BOTTOM:
                self.new_page()
                self._header(head_lines, widths, head_height, size, left)
            if r % 2:
                self.page.bands.append(Band(MARGIN, self.y - height, self.width, height, SHADE_COLOUR))
            x = MARGIN
            for c, (text, width) in enumerate(zip(cells, widths)):
                colour = (colours or {}).get((r, c), TEXT_COLOUR)
                at = x + 0.06 + (0.15 if r in indented and c == 0 else 0) if c in left else x + width - 0.06
                self._lines(at, self.y - 0.035, text, size, 0, "left" if c in left else "right", r in bold, colour)
                x += width
            self.y -= height
        self._rule(self.y)
        self.y -= 0.12

    def _header(self, head_lines: list[list[str]], widths: list[float], height: float, size: float,
                left: set[int]) -> None:
        self._rule(self.y, 0.9)
        x = MARGIN
        most = max(len(text) for text in head_lines)
        for c, (text, width) in enumerate(zip(head_lines, widths)):
            at = x + 0.06 if c in left else x + width - 0.06
            self._lines(at, self.y - 0.04, text, size, most - len(text), "left" if c in left else "right",
                        True)  # headers sit on the rule below them
            x += width
        self.y -= height
        self._rule(self.y, 0.7)

    def _lines(self, x: float, top: float, lines: list[str], size: float, skip: int, align: str, bold: bool,
               colour: str = TEXT_COLOUR) -> None:
        """Each line on its own baseline, so that digits and letters in one row line up; `skip` lines left empty
        above."""
        for i, text in enumerate(lines, start=skip):
            self.page.texts.append(Text(x, top - size / 72 * (0.95 + i * LINE), text, size, bold, colour, align))

    def _rule(self, y: float, width: float = 0.6) -> None:
        self.page.rules.append(Rule(MARGIN, MARGIN + self.width, y, width, RULE_COLOUR))


def _put_lines(page: Page, x: float, top: float, lines: list[str], size: float, bold: bool = False,
              colour: str = TEXT_COLOUR) -> None:
    """Lines of text at `x`, the first line's top at `top` (inches from the page's left and foot), LINE em apart."""
    for i, line in enumerate(lines):
        page.texts.append(Text(x, top - (LINE_TOP + i * LINE) * size / 72, line, size, bold, colour))


# --- what the pages say ---------------------------------------------------------------------------------------------

def summary_sentences(calc: Calculation) -> list[str]:
    """The plan in a few sentences for a decision document: the average share, the years over the riktvärde, the
    highest share and its margin, the investments and the debt."""
    period = calc.plan_period()
    years = period["ar"].to_list()
    span = swedish.years(years)
    invest, medfin = period["investeringar"].sum(), period["medfinansiering_mottagen"].sum()
    spend = (f"Planen omfattar investeringar på {swedish.number(invest, 0)} mnkr {span}, varav medfinansiering "
             f"{swedish.number(medfin, 0)} mnkr.")
    if not calc.region.has_share:
        first, last = period.row(0, named=True), period.row(-1, named=True)
        return ["Planen saknar bladet Region: totala intäkter saknas, så kapitalkostnadernas andel och marginalen "
                "till riktvärdet kan inte beräknas.",
                f"Kapitalkostnaderna för planens objekt (avskrivningar och internränta) är "
                f"{swedish.number(first['kapitalkostnader'], 0)} mnkr {first['ar']} och "
                f"{swedish.number(last['kapitalkostnader'], 0)} mnkr {last['ar']}.", spend]
    limit = calc.conventions.riktvarde
    shares = period["andel"].to_list()
    breach = [y for y, s in zip(years, shares) if s is not None and s >= limit]
    out = [f"Kapitalkostnaderna är i genomsnitt {swedish.percent(calc.average_share())} av totala intäkter {span}; "
           f"riktvärdet är att de ska vara under {swedish.percent(limit, 0)}."]
    out.append(f"Andelen är över riktvärdet {swedish.years(breach)}." if breach
               else "Andelen är under riktvärdet alla år.")
    peak = period.sort("andel", descending=True, nulls_last=True).row(0, named=True)
    margin = peak["marginal"]
    out.append(f"Högst är andelen {peak['ar']}: {swedish.percent_beside(peak['andel'], limit)}, "
               + (f"{swedish.number(-margin, 0)} mnkr över riktvärdet." if margin < 0
                  else f"med en marginal på {swedish.number(margin, 0)} mnkr till riktvärdet."))
    out.append(spend)
    if "skuldandel" in period.columns and period["skuldandel"].null_count() < period.height:
        top = period.sort("skuldandel", descending=True, nulls_last=True).row(0, named=True)
        side = "under" if top["skuldandel"] < calc.conventions.gransvarde else "över"
        out.append(f"Räntebärande skuld i förhållande till totala intäkter är högst "
                   f"{swedish.percent(top['skuldandel'], 1)} ({top['ar']}), {side} gränsvärdet "
                   f"{swedish.percent(calc.conventions.gransvarde, 0)}.")
    return out


def key_figures(calc: Calculation) -> list[tuple[str, str]]:
    """The key figures when the caller gives none."""
    c = calc.conventions
    period = calc.plan_period()
    years = period["ar"].to_list()
    out = [("Plan", Path(calc.plan.file).name), ("Parametrar", calc.models.label),
           ("Planperiod", swedish.years(years)), ("Antal objekt", str(len(calc.plan.objects))),
           ("Riktvärde", f"kapitalkostnader under {swedish.percent(c.riktvarde, 0)} av totala intäkter "
                         f"(metod {c.riktvardesmetod})"),
           ("Investeringar", f"{swedish.number(period['investeringar'].sum(), 0)} mnkr, varav medfinansiering "
                             f"{swedish.number(period['medfinansiering_mottagen'].sum(), 0)} mnkr")]
    if calc.region.has_share:
        breach = [r["ar"] for r in period.iter_rows(named=True) if r["andel"] >= c.riktvarde]
        peak = period.sort("andel", descending=True).row(0, named=True)
        low = period.sort("marginal").row(0, named=True)
        out += [("Genomsnittlig andel", swedish.percent(calc.average_share())),
                ("År över riktvärdet", swedish.years(breach) if breach else "inget"),
                ("Högsta andel", f"{swedish.percent_beside(peak['andel'], c.riktvarde)} år {peak['ar']}"),
                ("Minsta marginal", f"{swedish.number(low['marginal'], 0)} mnkr år {low['ar']}"),
                ("Högsta skuld / totala intäkter", f"{swedish.percent(period['skuldandel'].max(), 1)} "
                                                   f"(gränsvärde {swedish.percent(c.gransvarde, 0)})")]
    return out


def _front(calc: Calculation, summary: list[tuple[str, str]], sentences: list[str], when: dt.date) -> Flow:
    flow = Flow(PORTRAIT)
    flow.paragraph(TITLE, 20, gap=0.12, bold=True)
    flow.paragraph(labels.source_line(calc), 10.5, gap=0.02, colour=FOOTER_COLOUR)
    flow.paragraph(f"Skapad {when:%Y-%m-%d}", 10.5, gap=0.2, colour=FOOTER_COLOUR)
    flow.heading("Sammanfattning")
    for sentence in sentences:
        flow.paragraph(sentence, TEXT_SIZE, gap=0.07)
    flow.heading("Nyckeltal")
    shown = [(key, labels.value(value)) for key, value in summary if key != "Skapad"]
    flow.table(["Nyckeltal", "Värde"], [[key, value] for key, value in shown], [2.3, flow.width - 2.3],
               size=9.0, left={0, 1})
    return flow


def _chart_pages(calc: Calculation, charts: dict[str, Drawn]) -> list[Page]:
    """The budget charts two to a page, each the pixels of its PNG file at its size (its text keeps its size in
    points) without the source line at its foot (the page's footer names the plan), a caption under it."""
    names = list(charts)
    limit = swedish.percent(calc.conventions.riktvarde, 0)
    debt_limit = swedish.percent(calc.conventions.gransvarde, 0)
    page_width, page_height = PORTRAIT
    caption_width = page_width - 2 * MARGIN
    pages = []
    for first in range(0, len(names), 2):
        page = Page(PORTRAIT)
        y = page_height - CHART_TOP
        for slot, name in enumerate(names[first:first + 2]):
            image = charts[name].pixels[:-round(FOOTER_INCH * CHART_DPI)]
            height, width = image.shape[0] / CHART_DPI, image.shape[1] / CHART_DPI
            page.pictures.append(Picture((page_width - width) / 2, y - height, width, height, image))
            y -= height + CAPTION_GAP
            key = name
            if name == "investeringar" and not calc.plan_period()["medfinansiering_mottagen"].sum():
                key = "investeringar_utan"
            if name == "kapitalkostnader":
                key = ("kapitalkostnader_utan" if not calc.region.has_share
                       else "kapitalkostnader_netto" if calc.conventions.riktvardesmetod == "netto" else name)
            caption = f"Diagram {first + slot + 1}. " + CAPTIONS[key].format(limit=limit, debt_limit=debt_limit)
            lines = wrap(caption, caption_width, CAPTION_SIZE)
            _put_lines(page, MARGIN, y, lines, CAPTION_SIZE)
            y -= len(lines) * CAPTION_SIZE * LINE / 72 + CHART_GAP
        pages.append(page)
    return pages


def _tables(calc: Calculation) -> list[Page]:
    flow = Flow(LANDSCAPE)
    period = calc.plan_period()
    rows = [key for key in REGION_ROWS if key in period.columns and period[key].null_count() < period.height]
    years = period["ar"].to_list()
    limit = calc.conventions.riktvarde
    label_width = 2.6
    for start in range(0, len(years), YEARS_PER_TABLE):
        block = years[start:start + YEARS_PER_TABLE]
        width = min(1.0, (flow.width - label_width) / len(block))
        part = f" ({swedish.years(block)})" if len(years) > YEARS_PER_TABLE else ""
        flow.heading(f"Tabell 1. Kapitalkostnader och totala intäkter per år, mnkr{part}", 11.5)
        cells, colours = [], {}
        for r, key in enumerate(rows):
            values = period[key].to_list()[start:start + YEARS_PER_TABLE]
            if key == "andel":
                texts = [swedish.percent_beside(v, limit) for v in values]
                colours.update({(r, c + 1): BREACH_COLOUR for c, v in enumerate(values)
                                if v is not None and v >= limit})
            elif key == "skuldandel":
                texts = [swedish.percent(v, 1) for v in values]
            else:
                texts = [swedish.number(None if v is None else float(v), 0) for v in values]
                if key == "marginal":
                    colours.update({(r, c + 1): BREACH_COLOUR for c, v in enumerate(values) if v is not None and v < 0})
            cells.append([labels.column(key)] + texts)
        flow.table(["Mnkr"] + [str(y) for y in block], cells, [label_width] + [width] * len(block),
                   bold={i for i, key in enumerate(rows) if key in BOLD_ROWS}, colours=colours)

    headers, plan_rows = budget_shape(calc)
    label_width = 2.9
    width = min(1.1, (flow.width - label_width) / (len(headers) - 1))
    flow.heading("Tabell 2. Investeringsplan per verksamhetsområde, mnkr", 11.5)
    cells = [[row[0].strip()] + [swedish.number(None if v is None else float(v), 0) for v in row[1:]] for row in plan_rows]
    flow.table(headers, cells, [label_width] + [width] * (len(headers) - 1),
               bold={i for i, row in enumerate(plan_rows) if row[0] == "TOTALT"},
               indented={i for i, row in enumerate(plan_rows) if row[0].startswith(" ")})
    notes = ["Beloppen är avrundade till hela mnkr; andelar och marginaler är beräknade på oavrundade belopp."
             + (" Röd siffra: över riktvärdet." if calc.region.has_share else "")]
    notes += list(calc.region.notes)
    for note in notes:
        flow.paragraph(note, 8.5, gap=0.04, colour=FOOTER_COLOUR)
    return flow.pages


def _footer(page: Page, number: int, total: int, plan: str) -> None:
    """The plan's file and the title at the left, "Sida N av M" at the right, their foot 0,45 inch above the page's."""
    baseline = 0.45 + LINE_FOOT * 8 / 72
    page.texts.append(Text(MARGIN, baseline, f"{plan} · {TITLE}", 8, colour=FOOTER_COLOUR))
    page.texts.append(Text(page.size[0] - MARGIN, baseline, f"Sida {number} av {total}", 8, colour=FOOTER_COLOUR,
                           align="right"))


def report_pages(calc: Calculation, summary: list[tuple[str, str]], sentences: list[str],
                 when: dt.date | None = None, charts: dict[str, Drawn] | None = None) -> list[Page]:
    """Every page of the report, footers included, laid out but not written (for a look test); the charts drawn
    here unless given."""
    front = _front(calc, summary or key_figures(calc), sentences or summary_sentences(calc), when or dt.date.today())
    if charts is None:
        from invest.outputs.budget_charts import drawn_charts  # matplotlib's drawing code: only to draw here

        charts = drawn_charts(budget_figures(calc))
    pages = front.pages + _chart_pages(calc, charts) + _tables(calc)
    plan = Path(calc.plan.file).name
    for number, page in enumerate(pages, start=1):
        _footer(page, number, len(pages), plan)
    return pages


def write_pdf_report(calc: Calculation, target: Path, summary: list[tuple[str, str]], sentences: list[str],
                     charts: dict[str, Drawn] | None = None) -> Path:
    """Writes the report atomically to `target` (A4; summary and key figures, the charts — `charts` when already
    drawn —, the tables); an empty `summary` or `sentences` is generated from the calculation. Returns `target`."""
    target = Path(target)
    pages = report_pages(calc, summary, sentences, charts=charts)
    with atomic_path(target) as tmp:
        write_pdf(pages, tmp, f"{TITLE} – {Path(calc.plan.file).name}")
    return target
