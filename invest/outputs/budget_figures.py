"""What the four budget charts show, as plain numbers and words, and what drawing them gives: the contract between
the report's process, which takes the figures from a calculation (budget_view) and writes the drawn charts, and what
draws them (budget_charts), in that process or in the chart process (chart_process), which imports neither polars nor
the calculation. Nothing of matplotlib here, so that the report's process can read a drawn chart without loading
matplotlib's drawing code."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image

from invest.base.atomic import atomic_path

CHARTS = ("andel", "kapitalkostnader", "investeringar", "skuld")
CHART_DPI = 200  # the charts' resolution: the PNG files and the PDF report's pictures, pixel for pixel
NEEDS_REVENUE = ("andel", "skuld")  # the charts left out of a plan without a Region sheet (no totala intäkter)


@dataclass(frozen=True)
class AreaSpend:
    """One verksamhetsområde's investments per plan year, with its colour; medfinansiering is what it received."""

    name: str
    colour: str
    utgift: tuple[float, ...]
    medfinansiering: tuple[float, ...]


@dataclass(frozen=True)
class BudgetFigures:
    """The region table over the plan period (a missing figure is NaN), the conventions the charts draw as lines,
    the investments per verksamhetsområde in the budget's order, and the source line at each chart's foot."""

    years: tuple[int, ...]
    andel: tuple[float, ...]
    marginal: tuple[float, ...]
    avskrivningar: tuple[float, ...]
    rantekostnader: tuple[float, ...]
    kapitalkostnader: tuple[float, ...]
    totala_intakter: tuple[float, ...]
    skuldandel: tuple[float, ...]
    rantebarande_skuld: tuple[float, ...]
    riktvarde: float
    riktvardesmetod: str
    gransvarde: float
    has_share: bool  # the plan has a Region sheet: totala intäkter, the share and the riktvärde can be shown
    breach_years: tuple[int, ...]
    average_share: float | None
    plan_years: tuple[int, ...]
    areas: tuple[AreaSpend, ...]
    source: str

    @property
    def shown(self) -> list[str]:
        """The charts this plan has figures for: without a Region sheet, none that need totala intäkter."""
        return [name for name in CHARTS if self.has_share or name not in NEEDS_REVENUE]


class Drawn(NamedTuple):
    """A chart drawn once: its pixels (rows from the top, RGB) at CHART_DPI, the source line in the bottom
    chart_style.FOOTER_INCH, and the same pixels as a PNG file."""

    pixels: np.ndarray
    png: bytes

    @classmethod
    def of(cls, pixels: np.ndarray) -> Drawn:
        return cls(pixels, png_bytes(pixels, CHART_DPI))


def png_bytes(pixels: np.ndarray, dpi: float) -> bytes:
    """Pixels as an opaque (RGB) PNG file that says its resolution. Compression level 1: half the time of the default
    level 6 for a file no larger on these charts (flat colours compress well either way)."""
    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels[:, :, :3])).save(out, format="png", compress_level=1,
                                                                  dpi=(dpi, dpi))
    return out.getvalue()


def write_png(png: bytes, target: Path) -> Path:
    """A PNG file's bytes written atomically."""
    with atomic_path(target) as tmp:
        Path(tmp).write_bytes(png)
    return target


def write_charts(charts: dict[str, Drawn], directory: Path, stem: str) -> list[Path]:
    """Writes `{stem}_andel.png`, `{stem}_kapitalkostnader.png`, `{stem}_investeringar.png` and `{stem}_skuld.png`
    (those drawn) atomically into `directory`; returns the files written."""
    return [write_png(chart.png, Path(directory) / f"{stem}_{name}.png") for name, chart in charts.items()]
