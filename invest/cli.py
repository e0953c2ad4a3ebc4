"""The `invest` command (Swedish user interface), thin: options → one pipeline call → render → exit code.

One set of conventions for every command: PLAN is the optional first argument of every command that reads a plan,
`-o/--utdata` is the folder results are written to (default `reports`), an existing file is replaced only with
`--skriv-over`, numbers may be written with a decimal comma, and click's own texts are Swedish."""

from __future__ import annotations

import functools
import importlib.util
import os
import sys
import warnings
from pathlib import Path

import click

from invest.analyses.optimizer_settings import GAP, TIME_LIMIT
from invest.base import click_svenska, swedish, values
from invest.base.atomic import OutputProblem
from invest.base.os_errors import said
from invest.base.findings import InputError, errors
from invest.base.progress import status
from invest.outputs.chart_process import ChartProcess


def _lazy(name: str):
    """The module `name`, loaded at its first use (importlib's LazyLoader): the pipeline and what it imports (polars,
    the engine, the Excel reader) load after the options are read, so that `rapport` can start its chart process
    first and both load at once."""
    spec = importlib.util.find_spec(name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    setattr(sys.modules[parent], child, module)  # as an import would: `invest.pipeline` names it too
    return module


pipeline = sys.modules.get("invest.pipeline") or _lazy("invest.pipeline")

click_svenska.install()  # before the commands are declared: the version option takes its text then

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2
MODELS_HELP = "Katalog med egna daterade parametrar (YAML); standard är de inbyggda (models/)."
CONVENTIONS = """\b
Gemensamt för alla kommandon:
  PLAN            valfritt första argument: planen, en arbetsbok (mallformat
                  eller en nämnds eget) eller en katalog med en; utan PLAN
                  används standardplanen
  -o, --utdata    katalogen som filer skrivs till (standard reports/, skapas
                  om den saknas)
  --skriv-over    ersätt filer som redan finns; utan den avbryts kommandot
                  (kod 2) — indatafiler skrivs aldrig över
  tal             decimalkomma eller decimalpunkt: --ranta 0,025 = 0.025
  slutkod         0 klart, 1 en kontroll föll, 2 fel i indata"""
FILE_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".png", ".pdf", ".csv", ".txt", ".json", ".dot", ".yaml"}


class Command(click.Command):
    """A command whose usage line says FLAGGOR and whose help ends with the conventions."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[FLAGGOR]")
        kwargs.setdefault("epilog", CONVENTIONS)
        super().__init__(*args, **kwargs)


class Group(click.Group):
    command_class = Command


def handle_errors(command):
    """Input problems become messages and exit 2; no traceback and no library warning reaches the user."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            with warnings.catch_warnings():
                if not os.environ.get("INVEST_DEBUG"):  # a library's English warning, with its source path, is
                    warnings.simplefilter("ignore")      # nothing a planner can act on (e.g. a glyph the font lacks)
                    sys.unraisablehook = _unraisable
                return command(*args, **kwargs)
        except InputError as exc:
            for finding in exc.findings:
                click.echo(str(finding), err=True)
            if not isinstance(exc, OutputProblem):  # an output that cannot be written is no problem in the input:
                n = len(errors(exc.findings))       # its message says which file and what to do
                click.echo(f"Indata kan inte användas: {n} fel. Rätta dem och kör igen.", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except OSError as exc:  # reading or writing refused by the system, outside the paths that say which file
            click.echo(f"{exc.filename or 'invest'}: fel: {said(exc)}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except Exception as exc:  # a bug of ours: say so plainly, keep the traceback for INVEST_DEBUG=1
            if os.environ.get("INVEST_DEBUG"):
                raise
            click.echo(f"Internt fel i invest ({type(exc).__name__}: {exc}). Kör med INVEST_DEBUG=1 och rapportera felet.",
                       err=True)
            sys.exit(EXIT_BAD_INPUT)
    return wrapper


def _unraisable(unraisable) -> None:
    """An error Python cannot raise (in a destructor: a library's zip file closed at exit on a full disk) is not
    printed as a traceback; the command has already said what went wrong with the file."""


class DecimalNumber(click.ParamType):
    """A number with a decimal comma or point ("0,025", "0.025", "2,5 %"), within [low, high]."""

    name = "decimaltal"

    def __init__(self, low: float, high: float, hint: str = ""):
        self.low, self.high, self.hint = low, high, hint

    def convert(self, value, param, ctx):
        if isinstance(value, float):
            return value
        try:
            number = swedish.parse_number(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        if not self.low <= number <= self.high:
            self.fail(f"{_plain(number)} ligger utanför intervallet {_plain(self.low)} till {_plain(self.high)}"
                      + (f" ({self.hint})" if self.hint else ""), param, ctx)
        return number


def _plain(x: float) -> str:
    return f"{x:g}".replace(".", ",").replace("-", "−")


class WholeNumber(click.IntRange):
    name = "heltal"


YEAR = WholeNumber(values.FIRST_YEAR, values.LAST_YEAR)  # a calendar year within what the tool computes with


class ProposalsOption(click.Option):
    """--forslag, required: when it is missing but a PLAN was given, that PLAN is most likely the proposal
    (`invest kontroll forslag.xlsx`), and the message says so."""

    def process_value(self, ctx, value):
        try:
            return super().process_value(ctx, value)
        except click.MissingParameter:
            plan = ctx.params.get("plan")
            if not isinstance(plan, (str, Path)):  # no PLAN (or not read yet)
                raise
            raise click.UsageError(f"{plan} lästes som planen (PLAN), men inga förslag angavs; förslag anges med "
                                   f"--forslag: invest kontroll --forslag {plan}", ctx) from None


plan_argument = click.argument("plan", required=False, type=click.Path(path_type=Path), metavar="[PLAN]")


def calculation_options(command):
    """--ranta, --till-ar, --models, --riktlinjer and --mapping (in that order in the help), shared by every command
    that reads a plan (placed below the command's own options)."""
    command = mapping_option(command)
    command = click.option("--riktlinjer", type=str, default=None, metavar="KATALOG|FÖRVAL", expose_value=False,
                           callback=_remember_rules,
                           help="Riktlinjer (regelfiler i YAML) i stället för models/riktlinjer/: en katalog eller ett "
                                "förval som följer med programmet (kommun).")(command)
    command = models_option(command)
    command = click.option("--till-ar", type=YEAR, default=None, metavar="ÅR",
                           help="Räkna regiontabellen till och med detta år (standard: planens sista år).")(command)
    rate = DecimalNumber(-0.05, 0.5, "räntan som bråktal, t.ex. 0,025, eller i procent, 2,5 %")
    return click.option("--ranta", type=rate, default=None, metavar="R",
                        help="Platt ränta för alla räntor i beräkningen (t.ex. 0,025 eller 2,5 %; −0,05 till "
                             "0,5), marginal 0.")(command)


def models_option(command):
    return click.option("--models", "models_dir", type=click.Path(path_type=Path), default=None, metavar="KATALOG",
                        help=MODELS_HELP)(command)


def mapping_option(command):
    return click.option("--mapping", "mapping_path", type=click.Path(path_type=Path), default=None, metavar="FIL",
                        help="YAML-fil som mappar okända kolumnrubriker till mallens kolumner (se docs/anvandarguide.md §2).")(command)


def output_options(command):
    """-o/--utdata (the folder results are written to) and --skriv-over, the same in every command that writes."""
    command = click.option("--skriv-over", is_flag=True,
                           help="Ersätt filer som redan finns i utdatakatalogen (indatafiler skrivs aldrig "
                                "över).")(command)
    return click.option("-o", "--utdata", type=click.Path(path_type=Path, file_okay=False), default=Path("reports"),
                        show_default=True, metavar="KATALOG", callback=_folder,
                        help="Katalogen som resultatet skrivs till; skapas om den saknas.")(command)


def _folder(ctx, param, value: Path) -> Path:
    """-o/--utdata is a folder: a name that looks like a file (the old meaning in importera and mall) is refused."""
    if value is not None and value.suffix.lower() in FILE_SUFFIXES and not value.is_dir():
        raise click.BadParameter(f"'{value}' ser ut som ett filnamn; -o/--utdata är katalogen som resultatet skrivs "
                                 "till (filens namn väljer kommandot)", ctx, param)
    return value


def format_option(*choices: str):
    return click.option("--format", "fmt", type=click.Choice(list(choices)), default=choices[0], show_default=True,
                        help="Utdataformat.")


def _remember_rules(ctx, param, value):
    """--riktlinjer is kept in the command's context (ctx.meta) for `inputs`, so no command's signature carries it."""
    ctx.meta["riktlinjer"] = value
    return value


def inputs(plan, models_dir, ranta, till_ar, mapping_path) -> pipeline.Inputs:
    context = click.get_current_context(silent=True)
    rules = context.meta.get("riktlinjer") if context is not None else None
    return pipeline.Inputs(plan, models_dir, ranta, till_ar, mapping_path, rules)


def working(command: str, fmt: str = "text"):
    """The status line on a terminal's stderr while the pipeline works (never beside JSON)."""
    return status(f"invest {command}", enabled=fmt != "json")


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]}, options_metavar="[FLAGGOR]",
             subcommand_metavar="KOMMANDO [ARGUMENT]...", epilog=CONVENTIONS)
@click.version_option(package_name="invest", prog_name="invest")
def main():
    """Kapitalkostnader för en investeringsplan mot riktvärdet: avskrivningar + räntekostnader
    under 8 % av totala intäkter.

    PLAN är en arbetsbok i mallformatet eller i en nämnds eget format; utan PLAN används
    standardplanen (Region Stockholms investeringsplan 2026–2035 ur Budget 2026).
    `invest KOMMANDO --help` visar ett kommandos flaggor och exempel.
    """


@main.command()
@plan_argument
@format_option("tabell", "csv", "json")
@click.option("--csv-stil", type=click.Choice(["standard", "svensk"]), default="standard", show_default=True,
              help="standard: komma mellan fält och decimalpunkt; svensk: semikolon och decimalkomma (för Excel på "
                   "svenska).")
@click.option("--per-objekt", is_flag=True, help="En rad per objekt och år i stället för regionen per år.")
@calculation_options
@handle_errors
def berakna(plan, models_dir, ranta, till_ar, mapping_path, fmt, csv_stil, per_objekt):
    """Skriver årets siffror: investeringar, avskrivningar, räntekostnader, kapitalkostnader, andel och marginal.

    \b
    Exempel:
      invest berakna
      invest berakna plan.xlsx --format csv > region.csv
      invest berakna plan.xlsx --format csv --csv-stil svensk > region.csv
      invest berakna plan.xlsx --per-objekt --format csv --ranta 0,025
    """
    from invest.outputs import calculation_output as output

    if csv_stil != "standard" and fmt != "csv":
        raise click.UsageError("--csv-stil gäller bara --format csv")
    with working("berakna", fmt):
        calc = pipeline.calculate_plan(inputs(plan, models_dir, ranta, till_ar, mapping_path))
    df = output.frame(calc, per_objekt)
    if fmt == "csv":
        click.echo(output.to_csv(df, csv_stil), nl=False)
    elif fmt == "json":
        click.echo(output.to_json(calc, df, per_objekt))
    else:
        click.echo(output.to_table(calc, df, per_objekt), nl=False)


@main.command()
@plan_argument
@format_option("text", "json")
@calculation_options
@handle_errors
def validera(plan, models_dir, ranta, till_ar, mapping_path, fmt):
    """Kontrollerar en plan och listar fel och varningar med blad och cell. Avslutar med kod 1 vid fel.

    Ett år över riktvärdet är en varning här (och ett fel i `invest kontroll`).

    \b
    Exempel:
      invest validera plan.xlsx
      invest validera plan.xlsx --format json
    """
    from invest.outputs.findings_output import validation_json, validation_text

    with working("validera", fmt):
        result = pipeline.validate(inputs(plan, models_dir, ranta, till_ar, mapping_path))
    if fmt == "json":
        click.echo(validation_json(result.plan_file, result.findings))
    else:
        click.echo(validation_text(result.plan_file, result.findings), nl=False)
    sys.exit(EXIT_CHECK_FAILED if result.errors else EXIT_OK)


@main.command()
@plan_argument
@calculation_options
@output_options
@handle_errors
def rapport(plan, models_dir, ranta, till_ar, mapping_path, utdata, skriv_over):
    """Skriver kapitalkostnadsrapporten till -o/--utdata: en granskningsbar Excel-arbetsbok, en PDF-rapport på
    A4, fyra diagram (PNG) och en sammanfattning.

    \b
    Exempel:
      invest rapport
      invest rapport plan.xlsx -o rapporter/
      invest rapport --skriv-over
    """
    with working("rapport"), ChartProcess() as charts:  # started first: it loads matplotlib while the plan is read
        result = pipeline.report(inputs(plan, models_dir, ranta, till_ar, mapping_path), utdata, skriv_over, charts)
    click.echo(result.summary, nl=False)


@main.command()
@plan_argument
@format_option("tabell", "json", "dot", "png")
@click.option("--alla", is_flag=True, help="Rita även objekt utan beroenden (--format png).")
@calculation_options
@output_options
@handle_errors
def beroenden(plan, models_dir, ranta, till_ar, mapping_path, fmt, utdata, skriv_over, alla):
    """Visar vilka objekt som väntar på vilka: varje objekts föregångare och efterföljare, kedjorna och
    objekt som planeras före det de väntar på (+ fördröjning). En cykel är ett fel (avslutar med kod 2).
    `--format png` ritar beroendena till -o/--utdata/beroenden.png.

    \b
    Exempel:
      invest beroenden
      invest beroenden plan.xlsx --format json
      invest beroenden --format png -o rapporter/
      invest beroenden --format dot > beroenden.dot
    """
    from invest.outputs import dependency_output

    drawing = utdata / "beroenden.png" if fmt == "png" else None
    with working("beroenden", fmt):
        result = pipeline.dependencies(inputs(plan, models_dir, ranta, till_ar, mapping_path), drawing, alla,
                                       skriv_over)
    if fmt == "json":
        click.echo(dependency_output.dependencies_json(result.graph, result.findings, result.plan.file))
    elif fmt == "dot":
        click.echo(dependency_output.dependencies_dot(result.graph, result.areas), nl=False)
    elif fmt == "png":
        click.echo(f"Skrev {drawing} ({result.drawn} objekt).")
    else:
        click.echo(dependency_output.dependencies_table(result.graph, result.findings, result.plan.file), nl=False)


@main.command()
@plan_argument
@click.option("--objekt", metavar="ID", help="Objektet som flyttas (dess id i planen).")
@click.option("--ar", "years", type=WholeNumber(-50, 50), default=None, metavar="N",
              help="Antal år objektet flyttas (negativt = tidigare).")
@click.option("--fran-ar", type=YEAR, default=None, metavar="ÅR",
              help="Utgifter från och med detta år flyttas (standard: planens första år; utfall flyttas aldrig).")
@click.option("--index", "index", type=click.Choice(["ingen", "kpi", "entreprenad"]), default="ingen", show_default=True,
              help="Räkna upp flyttade utgifter med ett kostnadsindex per flyttat år (models/index/).")
@click.option("--rangordna", is_flag=True, help="Ett års försening av varje objekt för sig, störst effekt först.")
@click.option("--diagram", is_flag=True,
              help="Rita andelen före och efter förseningen mot riktvärdet (PNG i -o/--utdata).")
@format_option("tabell", "json")
@calculation_options
@output_options
@handle_errors
def forsening(plan, models_dir, ranta, till_ar, mapping_path, objekt, years, fran_ar, index, rangordna, diagram, fmt,
              utdata, skriv_over):
    """Flyttar objektet --objekt ID:s driftsättning och utgifter --ar N år och visar Δ investeringar,
    avskrivningar, räntekostnader, kapitalkostnader och andel per år i planperioden (--till-ar förlänger
    tabellen), och summan av Δ över de flyttade tillgångarnas återstående livslängd. Objekt som beror på det
    flyttas så lite som behövs (hela år) för att tas i bruk tidigast när det de väntar på (+ fördröjning) är
    klart.

    \b
    Exempel:
      invest forsening --objekt TB-NSO --ar 2
      invest forsening --objekt TB-NSO --ar 2 --index entreprenad --format json
      invest forsening plan.xlsx --objekt FF-HANDEN --ar -1
      invest forsening --objekt TB-NSO --ar 2 --till-ar 2060
      invest forsening --objekt TB-NSO --ar 2 --diagram -o rapporter/
      invest forsening --rangordna
      invest forsening plan.xlsx --rangordna
    """
    from invest.outputs import delay_output

    if plan is not None and objekt is None and not rangordna and not plan.exists():
        raise click.UsageError(f"'{plan}' lästes som PLAN men finns inte; objektet som flyttas anges med --objekt: "
                               f"invest forsening --objekt {plan} --ar N")
    with working("forsening", fmt):
        result = pipeline.delay(inputs(plan, models_dir, ranta, till_ar, mapping_path), objekt, years, fran_ar, index,
                                rangordna, utdata if diagram and not rangordna else None, skriv_over)
    calc = result.calculation
    if rangordna:
        show = delay_output.ranking_json if fmt == "json" else delay_output.ranking_table
        click.echo(show(calc, result.ranking, result.skipped, result.delays.from_year, index), nl=fmt == "json")
    elif fmt == "json":
        click.echo(delay_output.delay_json(calc, result.result))
    else:
        click.echo(delay_output.delay_table(calc, result.result), nl=False)
    if result.drawing is not None and fmt != "json":
        click.echo(f"Skrev {result.drawing}.")


def proposals_option(extra: str = ""):
    """--forslag FIL, once per workbook (kontroll and optimera)."""
    return click.option("--forslag", cls=ProposalsOption, multiple=True, required=True,
                        type=click.Path(path_type=Path, dir_okay=False), metavar="FIL",
                        help="En arbetsbok med föreslagna objekt, i valfri layout som importen läser; upprepa "
                             f"flaggan för flera förslag.{extra}")


@main.command()
@plan_argument
@proposals_option()
@format_option("tabell", "json")
@calculation_options
@output_options
@handle_errors
def kontroll(plan, models_dir, ranta, till_ar, mapping_path, forslag, fmt, utdata, skriv_over):
    """Prövar föreslagna objekt (--forslag FIL, en eller flera gånger) tillsammans med PLAN mot riktvärdet: andelen
    per år med och utan förslaget, marginalen, största skalfaktor och tidigaste startår som ryms, och för flera
    förslag var för sig, tillsammans och i vilken ordning de ryms. Resultatet (xlsx-blad och diagram) skrivs
    till -o/--utdata.

    Bedömningen är godkänt (alla år under riktvärdet), godkänt utan försämring (planen överskrider redan
    riktvärdet på egen hand; förslaget lägger inte till något år över det och höjer inte andelen de år
    planen redan överskrider) eller ej godkänt. Avslutar med kod 0 för godkänt och godkänt utan försämring
    (samtliga förslag tillsammans), 1 för ej godkänt och 2 vid fel i indata.

    \b
    Exempel:
      invest kontroll --forslag forslag.xlsx
      invest kontroll plan.xlsx --forslag forslag.xlsx --format json
      invest kontroll --forslag nya_depaer.xlsx --forslag nya_fordon.xlsx --ranta 0,03
    """
    from invest.outputs import proposal_output

    if plan is not None and any(Path(f).resolve() == plan.resolve() for f in forslag):
        raise click.UsageError(f"{plan} anges både som planen (PLAN) och som förslag (--forslag)")
    with working("kontroll", fmt):
        r = pipeline.check_proposals(inputs(plan, models_dir, ranta, till_ar, mapping_path), list(forslag), utdata,
                                     skriv_over)
    show = proposal_output.check_json if fmt == "json" else proposal_output.check_table
    click.echo(show(r.calculation, r.verdicts, r.admission, r.files, r.warnings, r.written, r.rules), nl=fmt == "json")
    sys.exit(EXIT_OK if r.passed else EXIT_CHECK_FAILED)


@main.command()
@plan_argument
@proposals_option(" Valfria kolumner: varde, tidigast_start, senast_start, utesluter.")
@click.option("--gap", type=DecimalNumber(0.0, 0.5, "ett bråktal, t.ex. 0,005, eller i procent, 0,5 %"),
              default=GAP, metavar="G",
              help=f"Relativt MIP-gap där lösaren får sluta (0,005 = 0,5 %).  [standard: {swedish.number(GAP, 3)}]")
@click.option("--tidsgrans", type=DecimalNumber(0.1, 3600.0, "sekunder, t.ex. 60"), default=TIME_LIMIT,
              metavar="S", help=f"Högsta tid för lösaren per optimering, i sekunder.  [standard: "
                                f"{swedish.number(TIME_LIMIT, 0)}]")
@format_option("tabell", "json")
@calculation_options
@handle_errors
def optimera(plan, models_dir, ranta, till_ar, mapping_path, forslag, gap, tidsgrans, fmt):
    """Väljer vilka förslag (--forslag FIL) som ska tas in och vilket år vart och ett ska starta, så att
    summan av förslagens värde (kolumnen varde; utan den förslagets totala utgift) blir så stor som möjligt
    medan varje aktiv riktlinje (models/riktlinjer/ eller --riktlinjer) hålls varje år i planperioden. Objekt
    som beror på varandra är ett förslag och flyttas tillsammans. Ett startår mellan tidigast_start (standard:
    förslagets eget första utgiftsår) och senast_start (standard: planens sista år); utesluter anger varianter
    som inte kan tas in båda.

    Lösningen är en blandad heltalsmodell som HiGHS löser till angivet gap. Resultatet visar målvärdet,
    gapet, den giriga ordningens mängd bredvid, för varje avvisat förslag den regel och det år som håller
    det ute med bristen i mnkr, och målvärdet vid riktvärde 7,5–8,5 %.

    \b
    Exempel:
      invest optimera --forslag forslag.xlsx
      invest optimera plan.xlsx --forslag forslag.xlsx --format json
      invest optimera --forslag forslag.xlsx --riktlinjer kommun --gap 0,01
    """
    from invest.outputs import optimization_output

    if plan is not None and any(Path(f).resolve() == plan.resolve() for f in forslag):
        raise click.UsageError(f"{plan} anges både som planen (PLAN) och som förslag (--forslag)")
    with working("optimera", fmt):
        r = pipeline.optimize(inputs(plan, models_dir, ranta, till_ar, mapping_path), list(forslag), gap, tidsgrans)
    if fmt == "json":
        click.echo(optimization_output.optimization_json(r.result))
    else:
        click.echo(optimization_output.optimization_table(r.result), nl=False)


@main.command()
@click.argument("plan", type=click.Path(path_type=Path), metavar="PLAN_A")
@click.argument("plan_b", type=click.Path(path_type=Path), metavar="PLAN_B")
@format_option("tabell", "json")
@click.option("--arbetsbok", is_flag=True, help="Skriv även arbetsboken (xlsx) och vattenfallsdiagrammet (PNG) till "
                                                "-o/--utdata.")
@click.option("--ar", "year", type=YEAR, default=None, metavar="ÅR",
              help="Året som vattenfallsdiagrammet visar (standard: året då andelen ändrades mest).")
@calculation_options
@output_options
@handle_errors
def jamfor(plan, plan_b, models_dir, ranta, till_ar, mapping_path, fmt, arbetsbok, year, utdata, skriv_over):
    """Förklarar varför kapitalkostnaderna och andelen av totala intäkter ändrades från en planversion
    (PLAN_A, t.ex. förra årets) till en annan (PLAN_B): förändringen per år fördelad på nya objekt,
    borttagna objekt, ändrade belopp, ändrad tidpunkt, ändrade nyttjandeperioder, ändrad medfinansiering,
    räntan och skulden, intäkterna och befintliga tillgångar. Fördelningen är exakt och oberoende av i vilken
    ordning orsakerna tas (Shapleyvärden), en mening per år att klistra in, och objekten bakom varje orsak.
    Objekt matchas på id; ett borttaget och ett nytt id med samma namn visas som troligen samma objekt.
    Båda planerna räknas med samma parametrar. Har de olika planperioder gäller jämförelsen de år båda har.

    \b
    Exempel:
      invest jamfor plan_2025.xlsx plan_2026.xlsx
      invest jamfor plan_2025.xlsx plan_2026.xlsx --format json
      invest jamfor plan_2025.xlsx plan_2026.xlsx --arbetsbok --ar 2031 -o rapporter/
    """
    from invest.outputs import comparison_output

    with working("jamfor", fmt):
        r = pipeline.compare_versions(inputs(plan, models_dir, ranta, till_ar, mapping_path), plan_b,
                                      utdata if arbetsbok else None, skriv_over, year)
    _show(fmt, r, comparison_output.comparison_json, comparison_output.comparison_table)


WORKBOOK_HELP = "Skriv även arbetsboken (xlsx) och diagrammet (PNG) till -o/--utdata."


@main.command()
@click.argument("scenarier", type=click.Path(path_type=Path, dir_okay=False), metavar="SCENARIER")
@plan_argument
@format_option("tabell", "json")
@click.option("--arbetsbok", is_flag=True, help=WORKBOOK_HELP)
@calculation_options
@output_options
@handle_errors
def scenario(scenarier, plan, models_dir, ranta, till_ar, mapping_path, fmt, arbetsbok, utdata, skriv_over):
    """Räknar namngivna scenarier sida vid sida mot basen: andel, kapitalkostnader, avskrivningar,
    räntekostnader, totala intäkter och marginal per år, skillnaden mot basen, första år över riktvärdet och
    genomsnittlig andel. SCENARIER är en YAML-fil (scenarier: en lista med namn och ändringar) eller en
    arbetsbok med bladet Scenarier (en rad per ändring). Ändringar: marknadsranta {tillagg, fran_ar},
    intaktstillvaxt, skatteunderlag {tillagg, fran_ar}, fordyring [{tillgangsklass|objekt|kategori, faktor,
    fran_ar}], forseningar [{objekt, ar}], nyttjandeperiod [{tillgangsklass, ar}], forslag [arbetsbok]
    (se docs/anvandarguide.md).

    \b
    Exempel:
      invest scenario scenarier.yaml
      invest scenario scenarier.yaml plan.xlsx --format json
      invest scenario scenarier.xlsx --arbetsbok -o rapporter/
    """
    from invest.outputs import scenario_output

    with working("scenario", fmt):
        r = pipeline.scenarios(inputs(plan, models_dir, ranta, till_ar, mapping_path), scenarier,
                               utdata if arbetsbok else None, skriv_over)
    _show(fmt, r, scenario_output.scenario_json, scenario_output.scenario_table)


@main.command()
@plan_argument
@format_option("tabell", "json")
@click.option("--arbetsbok", is_flag=True, help=WORKBOOK_HELP.replace("diagrammet", "tornadodiagrammet"))
@calculation_options
@output_options
@handle_errors
def kanslighet(plan, models_dir, ranta, till_ar, mapping_path, fmt, arbetsbok, utdata, skriv_over):
    """Känslighetsanalys: varje drivare (marknadsränta, intäktstillväxt, skatteunderlag, fördyring per
    tillgångsklass, försening av de största objekten, nyttjandeperiod per tillgångsklass) vid standardsteg
    (models/kanslighet/steg.yaml) med andelen per år och Δ kapitalkostnader under planperioden, och
    brytpunkten: hur långt drivaren kan ändras innan första året når riktvärdet (eller, när planen redan
    överskrider det, innan den slutar göra det) — exakt för marknadsräntan och skatteunderlaget, annars med
    angiven precision.

    \b
    Exempel:
      invest kanslighet
      invest kanslighet plan.xlsx --format json
      invest kanslighet --arbetsbok -o rapporter/
    """
    from invest.outputs import scenario_output

    with working("kanslighet", fmt):
        r = pipeline.sensitivity_analysis(inputs(plan, models_dir, ranta, till_ar, mapping_path),
                                          utdata if arbetsbok else None, skriv_over)
    _show(fmt, r, scenario_output.sensitivity_json, scenario_output.sensitivity_table)


def _show(fmt: str, r, as_json, as_table) -> None:
    """A result as JSON or as its table, then the files written."""
    if fmt == "json":
        click.echo(as_json(r.result))
        return
    click.echo(as_table(r.result), nl=False)
    for path in r.written:
        click.echo(f"Skrev {path}.")


@main.command()
@plan_argument
@click.option("--dragningar", type=WholeNumber(100, 1_000_000), default=10_000, show_default=True, metavar="N",
              help="Antal dragningar av fördyringar och förseningar.")
@click.option("--fro", type=WholeNumber(0, 2 ** 32 - 1), default=2026, show_default=True, metavar="S",
              help="Slumpfrö: samma frö ger samma resultat.")
@format_option("tabell", "json")
@click.option("--arbetsbok", is_flag=True, help=WORKBOOK_HELP.replace("diagrammet", "solfjäderdiagrammet"))
@calculation_options
@output_options
@handle_errors
def risk(plan, models_dir, ranta, till_ar, mapping_path, dragningar, fro, fmt, arbetsbok, utdata, skriv_over):
    """Sannolikheten att kapitalkostnaderna når riktvärdet, med fördyringar och förseningar dragna ur
    referensklasser (models/risk/: fördyring per tillgångsklass, försening i hela år per tillgångsklass, en
    gemensam faktor). Per år: sannolikheten att andelen är på eller över riktvärdet, andelens P10/P50/P90,
    kapitalkostnader P50 och P85; sannolikheten att något år överskrider; de objekt som driver risken.

    \b
    Exempel:
      invest risk
      invest risk plan.xlsx --dragningar 20000 --fro 7 --format json
      invest risk --arbetsbok -o rapporter/
    """
    from invest.outputs import risk_output

    with working("risk", fmt):
        r = pipeline.risk_analysis(inputs(plan, models_dir, ranta, till_ar, mapping_path), dragningar, fro,
                                   utdata if arbetsbok else None, skriv_over)
    _show(fmt, r, risk_output.risk_json, risk_output.risk_table)


@main.command()
@click.argument("fil", type=click.Path(path_type=Path), metavar="FIL")
@format_option("text", "json")
@click.option("--forklara", is_flag=True,
              help="Visa hur varje blad lästes: rubrikområde, enhet, vad varje kolumn och rad togs som, standardvärden.")
@models_option
@mapping_option
@output_options
@handle_errors
def importera(fil, utdata, skriv_over, models_dir, mapping_path, fmt, forklara):
    """Läser en nämnds arbetsbok FIL i eget format, rapporterar varje problem med blad och cell och skriver en
    validerad plan i mallformat till -o/--utdata/<FIL:s namn>_plan.xlsx.

    Kolumner hittas på rubrikernas text (svenska och engelska), summarader och varav-rader kontrolleras mot
    objekten, belopp i tkr/mdkr räknas om till mnkr. Inget skrivs om det finns fel (avslutar med kod 2).

    \b
    Exempel:
      invest importera trafiknamnden.xlsx            # skriver reports/trafiknamnden_plan.xlsx
      invest importera namnd.xlsx -o planer/ --mapping kolumner.yaml --format json
      invest importera namnd.xlsx --forklara
    """
    from invest.outputs.findings_output import import_json, import_text
    from invest.outputs.import_explanation import explanation_json, explanation_text

    with working("importera", fmt):
        r = pipeline.import_workbook(fil, utdata, models_dir, mapping_path, skriv_over)
    if fmt == "json":
        click.echo(import_json(r.source, r.target, r.plan, r.findings,
                               explanation_json(list(r.readings)) if forklara else None))
        sys.exit(EXIT_BAD_INPUT if r.plan is None else EXIT_OK)
    if forklara:
        click.echo(explanation_text(list(r.readings)))
    if r.plan is None:
        raise InputError(r.findings)
    click.echo(import_text(r.source, r.target, r.plan), nl=False)
    sys.exit(EXIT_OK)


@main.command()
@click.option("--fran-ar", type=YEAR, default=2026, show_default=True, metavar="ÅR",
              help="Planens första år.")
@click.option("--till-ar", type=YEAR, default=2035, show_default=True, metavar="ÅR",
              help="Planens sista år.")
@models_option
@output_options
@handle_errors
def mall(utdata, skriv_over, fran_ar, till_ar, models_dir):
    """Skriver en tom plan i mallformat med instruktioner och rullgardinslistor till
    -o/--utdata/investeringsplan_mall.xlsx.

    \b
    Exempel:
      invest mall
      invest mall -o trafiknamnden/ --fran-ar 2027 --till-ar 2036
    """
    target = pipeline.template(utdata, fran_ar, till_ar, models_dir, skriv_over)
    click.echo(f"Skrev {target}: bladet Objekt med kolumner {fran_ar}–{till_ar} och t.o.m. {fran_ar - 1}, "
               "rullgardinslistor och bladet Instruktioner.")


if __name__ == "__main__":
    main()
