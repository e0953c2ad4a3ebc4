"""The report workbook's native Excel charts (editable in Excel and LibreOffice): the share against the riktvärde,
capital costs against totala intäkter, investments per verksamhetsområde, debt against the gränsvärde."""

from __future__ import annotations

from invest.engine.calculation import Calculation
from invest.outputs.xlsx_book import BREACH_COLOUR, Book, EXTRA_COLOUR, LIMIT_COLOUR, OK_COLOUR

def _title(chart, text: str) -> None:
    chart.set_title({"name": text, "name_font": {"size": 11, "bold": True}})


def chart_sheet(book: Book, ws, calc: Calculation, region_rows: dict[str, int], areas: tuple[int, int, int] | None,
                 n_years: int) -> int:
    """Native charts on the Region and Per verksamhetsområde figures (editable in Excel and LibreOffice). Returns
    how many were drawn."""
    def ref(sheet: str, row: int, first: int = 1, last: int = n_years) -> list:
        return [sheet, row, first, row, last]

    years = ["Region", 0, 1, 0, n_years]
    charts = []
    share = calc.region.has_share
    if share and {"andel", "riktvarde"} <= region_rows.keys():
        chart = book.wb.add_chart({"type": "column"})
        breaches = [(v is not None and v >= calc.conventions.riktvarde) for v in calc.region.table["andel"].to_list()]
        chart.add_series({"name": ["Region", region_rows["andel"], 0], "categories": years,
                          "values": ref("Region", region_rows["andel"]), "fill": {"color": OK_COLOUR},
                          "points": [{"fill": {"color": BREACH_COLOUR}} if b else None for b in breaches],
                          "gap": 60})
        line = book.wb.add_chart({"type": "line"})
        line.add_series({"name": ["Region", region_rows["riktvarde"], 0], "categories": years,
                         "values": ref("Region", region_rows["riktvarde"]),
                         "line": {"color": LIMIT_COLOUR, "width": 2, "dash_type": "dash"}, "marker": {"type": "none"}})
        chart.combine(line)
        _title(chart, "Kapitalkostnader som andel av totala intäkter mot riktvärdet")
        chart.set_y_axis({"num_format": "0%", "min": 0, "major_gridlines": {"visible": True,
                                                                          "line": {"color": "#d9d9d9"}}})
        charts.append(chart)
    if {"avskrivningar", "rantekostnader"} <= region_rows.keys():
        chart = book.wb.add_chart({"type": "column", "subtype": "stacked"})
        for item, colour in (("avskrivningar", OK_COLOUR), ("rantekostnader", EXTRA_COLOUR)):
            chart.add_series({"name": ["Region", region_rows[item], 0], "categories": years,
                              "values": ref("Region", region_rows[item]), "fill": {"color": colour}, "gap": 60})
        if share and "totala_intakter" in region_rows:
            line = book.wb.add_chart({"type": "line"})
            line.add_series({"name": ["Region", region_rows["totala_intakter"], 0], "categories": years,
                             "values": ref("Region", region_rows["totala_intakter"]), "y2_axis": True,
                             "line": {"color": LIMIT_COLOUR, "width": 2}, "marker": {"type": "circle", "size": 4}})
            chart.combine(line)
            line.set_y2_axis({"name": "Totala intäkter, mnkr", "num_format": "#,##0", "min": 0})
            _title(chart, "Kapitalkostnader (avskrivningar + räntekostnader) mot totala intäkter")
        else:
            _title(chart, "Kapitalkostnader: avskrivningar + räntekostnader")
        chart.set_y_axis({"name": "Kapitalkostnader, mnkr", "num_format": "#,##0", "min": 0,
                          "major_gridlines": {"visible": True, "line": {"color": "#d9d9d9"}}})
        charts.append(chart)
    if areas:
        head, first, end = areas
        chart = book.wb.add_chart({"type": "column", "subtype": "stacked"})
        palette = ["#3b6ea5", "#e39b2d", "#5b9e5b", "#9b59b6", "#8c8c8c", "#c0392b", "#17a2b8", "#795548"]
        for i, r in enumerate(range(first, end + 1)):
            chart.add_series({"name": ["Per verksamhetsområde", r, 0],
                              "categories": ["Per verksamhetsområde", head, 1, head, n_years],
                              "values": ["Per verksamhetsområde", r, 1, r, n_years],
                              "fill": {"color": palette[i % len(palette)]}, "gap": 60})
        _title(chart, "Investeringar per verksamhetsområde och år")
        chart.set_y_axis({"name": "mnkr", "num_format": "#,##0", "min": 0,
                          "major_gridlines": {"visible": True, "line": {"color": "#d9d9d9"}}})
        charts.append(chart)
    if share and {"skuldandel", "gransvarde_skuld"} <= region_rows.keys():
        chart = book.wb.add_chart({"type": "line"})
        chart.add_series({"name": ["Region", region_rows["skuldandel"], 0], "categories": years,
                          "values": ref("Region", region_rows["skuldandel"]),
                          "line": {"color": OK_COLOUR, "width": 2.25}, "marker": {"type": "circle", "size": 5,
                                                                                  "fill": {"color": OK_COLOUR},
                                                                                  "border": {"color": OK_COLOUR}}})
        chart.add_series({"name": ["Region", region_rows["gransvarde_skuld"], 0], "categories": years,
                          "values": ref("Region", region_rows["gransvarde_skuld"]),
                          "line": {"color": LIMIT_COLOUR, "width": 2, "dash_type": "dash"}, "marker": {"type": "none"}})
        _title(chart, "Räntebärande skuld som andel av totala intäkter mot gränsvärdet")
        chart.set_y_axis({"num_format": "0%", "min": 0, "major_gridlines": {"visible": True,
                                                                          "line": {"color": "#d9d9d9"}}})
        charts.append(chart)
    for i, chart in enumerate(charts):
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 620, "height": 360})
        ws.insert_chart(2 + (i // 2) * 19, (i % 2) * 10, chart, {"x_offset": 5, "y_offset": 5})
    ws.write_string(0, 0, "Diagram", book.fmt(None, bold=True, font_size=14))
    ws.write_string(1, 0, "Diagrammen bygger på bladen Region och Per verksamhetsområde och följer dem om siffrorna "
                          "ändras.", book.fmt(None, italic=True, font_color="#555555"))
    return len(charts)
