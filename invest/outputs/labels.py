"""Every name a reader may see, in Swedish and in one place: the columns of the tables, the conventions' values,
the asset classes and the parameter sheet's columns. Internal snake_case names never reach a report."""

from __future__ import annotations

from pathlib import PurePath

COLUMNS = {
    "ar": "År", "investeringar": "Investeringar", "medfinansiering_mottagen": "Medfinansiering mottagen",
    "avskrivningar": "Avskrivningar", "intaktsford_medfinansiering": "Intäktsförd medfinansiering",
    "rantekostnader": "Räntekostnader", "kapitalkostnader": "Kapitalkostnader", "totala_intakter": "Totala intäkter",
    "andel": "Andel av totala intäkter", "riktvarde": "Riktvärde", "marginal": "Marginal till riktvärdet",
    "klarar_riktvarde": "Under riktvärdet",
    "befintliga_avskrivningar": "Avskrivningar befintliga tillgångar",
    "objektens_avskrivningar": "Avskrivningar planens objekt", "objektens_ranta": "Internränta planens objekt",
    "objektens_bundna_kapital": "Bundet kapital planens objekt",
    "ranta_utover_objektens": "Räntekostnader utöver planens internränta", "ovriga_intakter": "Övriga intäkter",
    "sjalvfinansiering": "Självfinansiering", "sjalvfinansieringsgrad": "Självfinansieringsgrad (exkl. medfinansiering)",
    "lanebehov": "Lånebehov", "rantebarande_skuld": "Räntebärande skuld", "skuldandel": "Skuld / totala intäkter",
    "gransvarde_skuld": "Gränsvärde skuld", "andel_omsatt_skuld": "Andel av skulden som får ny ränta",
    "rantekostnader_budget": "Räntekostnader enligt budget", "pagaende_arbete": "Pågående arbete",
    "materiella_anlaggningstillgangar": "Materiella anläggningstillgångar", "likvida_medel": "Likvida medel",
    "skatteintakter_och_statsbidrag": "Skatteintäkter och statsbidrag",
    "id": "Id", "namn": "Namn", "organisation": "Organisation", "verksamhetsomrade": "Verksamhetsområde",
    "tillgangsklass": "Tillgångsklass", "driftsattning": "Driftsättning", "kategori": "Kategori",
    "investeringstyp": "Investeringstyp", "skede": "Skede",
    "utgift": "Investeringar", "avskrivning": "Avskrivning", "pagaende": "Pågående arbete",
    "bokfort_varde": "Bokfört värde", "medfinansieringsskuld": "Medfinansieringsskuld", "bidragsskuld": "Bidragsskuld",
    "bundet_kapital": "Bundet kapital", "ranta": "Internränta", "kapitalkostnad": "Kapitalkostnad",
    "aktiverat": "Aktiverat", "rantebas": "Räntebas",
}
SHARE_COLUMNS = {"andel", "riktvarde", "skuldandel", "gransvarde_skuld", "sjalvfinansieringsgrad",
                 "andel_omsatt_skuld"}  # shown as percentages, not mnkr
SHORT = {  # for narrow text tables in the terminal
    "medfinansiering_mottagen": "Medfin. mottagen", "intaktsford_medfinansiering": "Intäktsförd medfin.",
    "andel": "Andel", "marginal": "Marginal", "medfinansieringsskuld": "Medfin.skuld", "ranta": "Ränta",
    "pagaende": "Pågående", "utgift": "Utgift",
}
CONVENTION_VALUES = {
    "bundet_kapital": "bundet kapital (pågående arbete + bokfört värde − medfinansieringsskuld)",
    "bokfort_varde": "bokfört värde", "bokfort_varde_netto": "bokfört värde minus medfinansieringsskuld",
    "genomsnitt": "årets genomsnittliga kapital", "ingaende": "kapitalet vid årets början",
    "samma_manad": "samma månad som tillgången tas i bruk", "nasta_manad": "månaden efter att tillgången tas i bruk",
    "nasta_ar": "året efter att tillgången tas i bruk",
    "brutto": "brutto (intäktsförd medfinansiering räknas i totala intäkter)",
    "netto": "netto (intäktsförd medfinansiering dras från avskrivningarna)",
    "jamn": "jämnt", "arganger": "i årgångar", "sista_aret": "på sista året", "forsta_aret": "på första året",
}
ASSET_CLASSES = {
    "bidrag_statlig_infrastruktur": "Bidrag till statlig infrastruktur", "fastighet": "Fastighet",
    "fastighet_komponenter": "Fastighet (komponenter)", "fordon": "Fordon", "inventarier": "Inventarier",
    "it": "IT", "kollektivtrafik": "Kollektivtrafik", "mark": "Mark", "medicinteknik": "Medicinteknik",
}
PARAMETER_COLUMNS = {
    "parameter": "Parameter", "beskrivning": "Beskrivning", "enhet": "Enhet", "galler_fran": "Gäller från",
    "varde": "Värde", "kalla": "Källa", "antagande": "Antagande", "fil": "Fil",
}
UNITS = {"ar": "år", "manad": "månad"}  # a parameter's unit; the others (andel, mnkr, val, lista …) read as they are
VALUE_NAMES = {  # a convention's value or a parameter's key as running text names it ("sista_aret = året ÅÅÅÅ")
    "bundet_kapital": "bundet kapital", "bokfort_varde": "bokfört värde", "bokfort_varde_netto": "bokfört värde netto",
    "genomsnitt": "genomsnitt", "ingaende": "ingående", "samma_manad": "samma månad", "nasta_manad": "nästa månad",
    "nasta_ar": "nästa år", "brutto": "brutto", "netto": "netto", "jamn": "jämnt", "arganger": "årgångar",
    "sista_aret": "sista året", "forsta_aret": "första året", "standardmanad": "standardmånad",
    "efter_driftsattning_manad": "månad efter driftsättning", "upplosning_fran_beslut": "upplöses från beslut",
}


def column(name: str, short: bool = False) -> str:
    """The Swedish heading of a table column (the short form for terminal tables when there is one)."""
    if short and name in SHORT:
        return SHORT[name]
    return COLUMNS.get(name) or name.replace("_", " ").capitalize()


def value(text: str) -> str:
    """A convention's value or an asset class as a reader reads it; other text unchanged."""
    return CONVENTION_VALUES.get(text) or ASSET_CLASSES.get(text) or text


def unit(name: str) -> str:
    """A parameter's unit as a reader reads it."""
    return UNITS.get(name, name)


def source_line(calc) -> str:
    """The plan and the parameters by name, as at the foot of every chart (a file name and a folder name, never a
    path); `calc` a Calculation (not imported: this module is read where no calculation is)."""
    return f"Plan: {PurePath(calc.plan.file).name} · parametrar: {calc.models.label}"
