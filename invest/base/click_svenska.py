"""click's own texts (usage line, section headings, help and version options, error messages) in Swedish.

click 8 translates through `from gettext import gettext as _` (and `ngettext`) bound in each of its modules and
looked up when a text is needed; `install()` replaces those two names in click's modules with lookups in the table
below. It must run before the commands are declared (the help and version options take their texts then).
A text click adds in a later version and this table lacks stays English: tests/test_cli.py looks for English in
the help and the errors."""

from __future__ import annotations

import importlib

TEXTS = {
    # help
    "Usage:": "Användning:",
    "Options": "Flaggor",
    "Commands": "Kommandon",
    "Positional arguments": "Argument",
    "Show this message and exit.": "Visa den här hjälpen och avslutar.",
    "Show the version and exit.": "Visa versionen och avslutar.",
    "%(prog)s, version %(version)s": "%(prog)s, version %(version)s",
    "default: {default}": "standard: {default}",
    "env var: {var}": "miljövariabel: {var}",
    "required": "krävs",
    "(dynamic)": "(beräknas)",
    "deprecated": "utgått",
    # errors
    "Error: {message}": "Fel: {message}",
    "Try '{command} {option}' for help.": "Försök '{command} {option}' för hjälp.",
    "No such option {name!r}.": "okänd flagga {name!r}.",
    "No such command {name!r}.": "okänt kommando {name!r}.",
    "Missing command.": "saknar kommando.",
    "Missing argument": "saknar argumentet",
    "Missing option": "saknar flaggan",
    "Missing parameter": "saknar värdet",
    "Missing {param_type}": "saknar {param_type}",
    "Missing parameter: {param_name}": "saknar värdet {param_name}",
    "Invalid value for {param_hint}: {message}": "ogiltigt värde för {param_hint}: {message}",
    "Invalid value: {message}": "ogiltigt värde: {message}",
    "Option {name!r} does not take a value.": "flaggan {name!r} tar inget värde.",
    "Argument {name!r} takes {nargs} values.": "argumentet {name!r} tar {nargs} värden.",
    "Invalid start character for option ({option})": "ogiltigt första tecken i flaggan ({option})",
    "{value!r} is not a valid {number_type}.": "{value!r} är inte ett giltigt {number_type}.",
    "{value} is not in the range {range}.": "{value} ligger utanför intervallet {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} är inget giltigt sanningsvärde; giltiga värden: {states}",
    "{name} {filename!r} does not exist.": "{name} {filename!r} finns inte.",
    "{name} {filename!r} is a file.": "{name} {filename!r} är en fil.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} är en katalog.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} går inte att läsa.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} går inte att skriva.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} går inte att köra.",
    "file": "filen", "directory": "katalogen", "path": "sökvägen",
    "Could not open file {filename!r}: {message}": "kunde inte öppna filen {filename!r}: {message}",
    "Value must be an iterable.": "värdet måste vara en följd.",
    "Choose from:\n\t{choices}": "Välj bland:\n\t{choices}",
    "Aborted!": "Avbrutet!",
    "unknown error": "okänt fel",
    "Error: invalid input": "Fel: ogiltig inmatning",
    "Error: The two entered values do not match.": "Fel: de två värdena stämmer inte överens.",
    "Repeat for confirmation": "Upprepa för att bekräfta",
    "Press any key to continue...": "Tryck på valfri tangent för att fortsätta …",
    "Do you want to continue?": "Vill du fortsätta?",
    "Confirm the action without prompting.": "Bekräfta utan att fråga.",
}

PLURALS = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        ("oväntat extra argument ({args})", "oväntade extra argument ({args})"),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        ("flaggan {name!r} kräver ett värde.", "flaggan {name!r} kräver {nargs} värden."),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"):
        ("Menade du {possibility}?", "(Menade du någon av: {possibilities}?)"),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        ("{value!r} är inte {choice}.", "{value!r} är inte något av {choices}."),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        ("tar {nargs} värden men 1 gavs.", "tar {nargs} värden men {len} gavs."),
    ("{len_type} values are required, but {len_value} was given.",
     "{len_type} values are required, but {len_value} were given."):
        ("{len_type} värden krävs, men {len_value} gavs.", "{len_type} värden krävs, men {len_value} gavs."),
    ("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."):
        ("{value!r} har inte formatet {format}.", "{value!r} har inte något av formaten {formats}."),
}

MODULES = ("click.core", "click.decorators", "click.exceptions", "click.formatting", "click.parser", "click.types",
           "click.termui", "click.utils", "click.shell_completion", "click._termui_impl")


def gettext(message: str) -> str:
    return TEXTS.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    one, many = PLURALS.get((singular, plural), (singular, plural))
    return one if n == 1 else many


def install() -> None:
    """Swedish in every click module that translates (idempotent)."""
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:  # a module of a click version that lacks it
            continue
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
