"""The words a plan may use: sheet names, column names, and the values of the enumerated columns."""

from __future__ import annotations

import re
from functools import lru_cache

OBJECT_SHEET = "Objekt"
COMPONENT_SHEET = "Komponenter"
COFINANCING_SHEET = "Medfinansiering"
DEPENDENCY_SHEET = "Beroenden"
REGION_SHEET = "Region"
REGION_BALANCE_SHEET = "Regionbalans"
EXISTING_SHEET = "Befintliga"
PUBLISHED_SHEET = "Budgetjämförelse"

# Template column -> accepted header spellings, Swedish and English (normalised, see normalize()).
OBJECT_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "objekt_id", "objektid", "objektnummer", "objektnr", "objekt_nr", "projektnummer", "projektnr",
           "projekt_id", "projektid", "nr", "lopnummer", "object_id", "project_id", "project_no", "project_number",
           "referens", "ref"),
    "namn": ("namn", "objekt", "objektnamn", "benamning", "projekt", "projektnamn", "investering", "investeringsobjekt",
             "investeringar", "objektsnamn", "projektbenamning", "atgard", "name", "project", "project_name", "object",
             "object_name", "investment", "description", "beskrivning"),
    "organisation": ("organisation", "namnd", "namnd/bolag", "namnd_/_bolag", "forvaltning", "bolag", "ansvarig_namnd",
                     "organization", "board", "committee", "owner", "entity"),
    "verksamhetsomrade": ("verksamhetsomrade", "omrade", "verksamhet", "verksamhetsgren", "business_area", "sector",
                          "area"),
    "kategori": ("kategori", "category"),
    "investeringstyp": ("investeringstyp", "typ", "ny/ersattning", "ny_/_ersattning", "type", "investment_type"),
    "skede": ("skede", "fas", "projektfas", "projektskede", "stage", "phase"),
    "tillgangsklass": ("tillgangsklass", "tillgangstyp", "typ_av_tillgang", "tillgangsslag", "anlaggningstyp",
                       "typ_av_anlaggning", "anlaggningskategori", "asset_class", "asset_type"),
    "driftsattning": ("driftsattning", "driftsattningsar", "driftsattningsdatum", "driftstart", "i_drift", "klart",
                      "fardigstallande", "fardigt", "idrifttagande", "idrifttagning", "tas_i_drift", "klart_ar",
                      "beraknad_driftsattning", "planerad_driftsattning", "in_service", "commissioning", "operational",
                      "completion", "start_of_operation"),
    "medfinansiering": ("medfinansiering", "medfinansiering_totalt", "total_medfinansiering", "extern_finansiering",
                        "varav_medfinansiering", "darav_medfinansiering", "varav_extern_finansiering",
                        "co_financing", "cofinancing", "external_funding", "external_financing"),
    "beroenden": ("beroenden", "beror_pa", "forutsattning", "depends_on", "dependencies", "predecessors"),
    # a proposal's optional columns for `invest optimera` (AdmissionTerms)
    "varde": ("varde", "nytta", "malvarde"),
    "tidigast_start": ("tidigast_start", "tidigaste_start", "earliest_start"),
    "senast_start": ("senast_start", "senaste_start", "latest_start"),
    "utesluter": ("utesluter", "utesluter_id", "excludes"),
}
ADMISSION_COLUMNS = ("varde", "tidigast_start", "senast_start", "utesluter")
IGNORED_HEADERS = ("kalla", "source", "kommentar", "kommentarer", "anmarkning", "not", "noter", "fotnot", "comment", "comments", "notes",
                   "note", "ansvarig", "kontaktperson", "contact")
SUM_LABEL = re.compile(r"^(summa|totalt|total|delsumma|sum|subtotal|grand_total|totalsumma)(_|$|:)")
TOTAL_LABEL = re.compile(r"^(summa_)?(totalt|total|grand_total|totalsumma)(_|$|:)|^summa$|^sum$")
VARAV_LABEL = re.compile(r"^(varav|darav|of_which)(_|$|:)")
GENERIC_SHEET = re.compile(r"^(blad|sheet|tabell|table|ark|sida|page|objekt|data|investeringar)_?\d*$")

COMPONENT_COLUMNS = {"id": ("id",), "komponent": ("komponent",), "andel": ("andel",),
                     "nyttjandeperiod": ("nyttjandeperiod",)}
COFINANCING_COLUMNS = {"id": ("id",), "part": ("part",), "belopp": ("belopp",), "ar": ("ar",)}
DEPENDENCY_COLUMNS = {"id": ("id",), "beror_pa": ("beror_pa",), "fordrojning_manader": ("fordrojning_manader",)}
REGION_COLUMNS = {
    "ar": ("ar",),
    "totala_intakter": ("totala_intakter",),
    "ovriga_intakter": ("ovriga_intakter",),
    "befintliga_avskrivningar": ("befintliga_avskrivningar",),
    "befintlig_intaktsford_medfinansiering": ("befintlig_intaktsford_medfinansiering",),
    "resultat": ("resultat",),
    "ovriga_ej_likviditetspaverkande": ("ovriga_ej_likviditetspaverkande", "ovriga_poster"),
    "rantekostnader": ("rantekostnader",),
    "likvida_medel": ("likvida_medel",),
    "skatteintakter_och_statsbidrag": ("skatteintakter_och_statsbidrag", "skatteintakter_och_generella_statsbidrag"),
}
# Region columns a plan gives only when it needs them (a kommun's guideline): written, and shown, only when given
OPTIONAL_REGION_COLUMNS = ("skatteintakter_och_statsbidrag",)
REGION_BALANCE_COLUMNS = {"post": ("post",), "belopp": ("belopp", "varde")}
REGION_BALANCE_KEYS = ("ingaende_rantebarande_skuld", "genomsnittsranta_befintlig_skuld",
                       "ingaende_materiella_anlaggningstillgangar")
PUBLISHED_COLUMNS = {"post": ("post",), "verksamhetsomrade": ("verksamhetsomrade",), "ar": ("ar",),
                     "uppgiftstyp": ("uppgiftstyp",), "varde": ("varde", "belopp"), "kalla": ("kalla",),
                     "roll": ("roll",)}
# How a budget figure relates to the model in the calibration (the Budgetjämförelse sheet's column roll): fitted to
# it, equal to it by an identity of the model, derived from other rows, put in as an input, or a genuine test.
CALIBRATION_ROLES = {"anpassad": "anpassad", "identitet": "identitet", "harledd": "härledd", "indata": "indata",
                     "provning": "prövning"}
PUBLISHED_POSTS = ("investeringar", "medfinansiering", "avskrivningar", "rantekostnader", "totala_intakter",
                   "materiella_anlaggningstillgangar", "pagaende_arbete", "rantebarande_skuld")
UPPGIFTSTYPER = ("utfall", "budget", "prognos", "plan")
EXISTING_COLUMNS = {"tillgangsklass": ("tillgangsklass",), "bokfort_varde": ("bokfort_varde",),
                    "aterstaende_nyttjandeperiod": ("aterstaende_nyttjandeperiod",)}

# The verksamhetsområden are a region's or a kommun's own: models/import/verksamhetsomraden.yaml (Models.areas).
# The enumerations below are the tool's own and stay here.
NO_AREA = "(utan verksamhetsområde)"  # the report's group for objects without a verksamhetsområde
KATEGORIER = ("beslutad", "planerad", "pott")
INVESTERINGSTYPER = ("ny", "ersättning")
SKEDEN = ("åtgärdsval", "inriktning", "planering", "genomförande", "driftsatt")

_SEPARATORS = re.compile(r"[\s_\-–]+")
_SWEDISH = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e"})


@lru_cache(maxsize=1 << 16, typed=True)  # an import asks hundreds of thousands of times, mostly for the same words
def normalize(text: object) -> str:
    """Lower case, å/ä/ö folded, runs of spaces, dashes and underscores made one underscore."""
    s = str(text).strip().lower().translate(_SWEDISH)
    return _SEPARATORS.sub("_", s).strip("_")


@lru_cache(maxsize=4096)
def canonical(value: str, allowed: tuple[str, ...]) -> str | None:
    """The allowed value that `value` names (by its normalised start), or None."""
    n = normalize(value)
    for a in allowed:
        na = normalize(a)
        if n == na or n.startswith(na):
            return a
    return None
