"""The `invest` command (Swedish user interface), thin: options → one pipeline call → render → exit code."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click

from invest import pipeline
from invest.base.findings import InputError, errors

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2
MODELS_HELP = "Katalog med egna daterade parametrar (YAML); standard är de inbyggda (models/)."


def handle_errors(command):
    """Input problems become messages and exit 2; no traceback reaches the user."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except InputError as exc:
            for finding in exc.findings:
                click.echo(str(finding), err=True)
            n = len(errors(exc.findings))
            click.echo(f"Indata kan inte användas: {n} fel. Rätta dem och kör igen.", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except OSError as exc:
            click.echo(f"Fel: {exc.strerror or exc}: {exc.filename or ''}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except Exception as exc:  # a bug of ours: say so plainly, keep the traceback for INVEST_DEBUG=1
            if os.environ.get("INVEST_DEBUG"):
                raise
            click.echo(f"Internt fel i invest ({type(exc).__name__}: {exc}). Kör med INVEST_DEBUG=1 och rapportera felet.",
                       err=True)
            sys.exit(EXIT_BAD_INPUT)
    return wrapper


def plan_options(command):
    """The options every command that reads a plan shares, and the plan as an optional argument."""
    command = click.argument("plan", required=False, type=click.Path(path_type=Path))(command)
    return calculation_options(command)


def calculation_options(command):
    command = models_option(command)
    command = click.option("--ranta", type=click.FloatRange(-0.05, 0.5), default=None,
                           help="Platt ränta för alla räntor i beräkningen (t.ex. 0.025), marginal 0.")(command)
    command = click.option("--till-ar", type=click.IntRange(1900, 2200), default=None,
                           help="Räkna regiontabellen till och med detta år (standard: planens sista år).")(command)
    return mapping_option(command)


def models_option(command):
    return click.option("--models", "models_dir", type=click.Path(path_type=Path), default=None,
                        help=MODELS_HELP)(command)


def mapping_option(command):
    return click.option("--mapping", "mapping_path", type=click.Path(path_type=Path), default=None,
                        help="YAML-fil som mappar okända kolumnrubriker till mallens kolumner (se docs/anvandarguide.md §2).")(command)


def inputs(plan, models_dir, ranta, till_ar, mapping_path) -> pipeline.Inputs:
    return pipeline.Inputs(plan, models_dir, ranta, till_ar, mapping_path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="invest", prog_name="invest")
def main():
    """Kapitalkostnader för en investeringsplan mot riktvärdet: avskrivningar + räntekostnader
    under 8 % av totala intäkter.

    PLAN är en arbetsbok i mallformatet eller i en nämnds eget format; utan PLAN används
    standardplanen (Region Stockholms investeringsplan 2026–2035 ur Budget 2026).
    """


@main.command()
@plan_options
@click.option("--format", "fmt", type=click.Choice(["tabell", "csv", "json"]), default="tabell", show_default=True)
@click.option("--per-objekt", is_flag=True, help="En rad per objekt och år i stället för regionen per år.")
@handle_errors
def berakna(plan, models_dir, ranta, till_ar, mapping_path, fmt, per_objekt):
    """Skriver årets siffror: investeringar, avskrivningar, räntekostnader, kapitalkostnader, andel och marginal.

    \b
    Exempel:
      invest berakna
      invest berakna plan.xlsx --format csv > region.csv
      invest berakna plan.xlsx --per-objekt --format csv --ranta 0.025
    """
    from invest.outputs import calculation_output as output

    calc = pipeline.calculate_plan(inputs(plan, models_dir, ranta, till_ar, mapping_path))
    df = output.frame(calc, per_objekt)
    if fmt == "csv":
        click.echo(output.to_csv(df), nl=False)
    elif fmt == "json":
        click.echo(output.to_json(calc, df, per_objekt))
    else:
        click.echo(output.to_table(calc, df, per_objekt), nl=False)


@main.command()
@plan_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
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

    result = pipeline.validate(inputs(plan, models_dir, ranta, till_ar, mapping_path))
    if fmt == "json":
        click.echo(validation_json(result.plan_file, result.findings))
    else:
        click.echo(validation_text(result.plan_file, result.findings), nl=False)
    sys.exit(EXIT_CHECK_FAILED if result.errors else EXIT_OK)


@main.command()
@plan_options
@click.option("--utdata", type=click.Path(path_type=Path), default=Path("reports"), show_default=True,
              help="Katalog som rapporten skrivs till.")
@handle_errors
def rapport(plan, models_dir, ranta, till_ar, mapping_path, utdata):
    """Skriver kapitalkostnadsrapporten: Excel-arbetsbok, diagram (PNG och PDF) och sammanfattning.

    \b
    Exempel:
      invest rapport
      invest rapport plan.xlsx --utdata rapporter/
    """
    click.echo(pipeline.report(inputs(plan, models_dir, ranta, till_ar, mapping_path), utdata).summary, nl=False)


@main.command()
@plan_options
@click.option("--format", "fmt", type=click.Choice(["tabell", "json", "dot", "png"]), default="tabell",
              show_default=True, help="png ritar beroendena till --utdata/beroenden.png.")
@click.option("--utdata", type=click.Path(path_type=Path), default=Path("reports"), show_default=True,
              help="Katalog som ritningen skrivs till (--format png).")
@click.option("--alla", is_flag=True, help="Rita även objekt utan beroenden (--format png).")
@handle_errors
def beroenden(plan, models_dir, ranta, till_ar, mapping_path, fmt, utdata, alla):
    """Visar vilka objekt som väntar på vilka: varje objekts föregångare och efterföljare, kedjorna och
    objekt som planeras före det de väntar på (+ fördröjning). En cykel är ett fel (avslutar med kod 2).

    \b
    Exempel:
      invest beroenden
      invest beroenden plan.xlsx --format json
      invest beroenden --format png --utdata rapporter/
      invest beroenden --format dot > beroenden.dot
    """
    from invest.outputs import dependency_output

    drawing = utdata / "beroenden.png" if fmt == "png" else None
    result = pipeline.dependencies(inputs(plan, models_dir, ranta, till_ar, mapping_path), drawing, alla)
    if fmt == "json":
        click.echo(dependency_output.dependencies_json(result.graph, result.findings, result.plan.file))
    elif fmt == "dot":
        click.echo(dependency_output.dependencies_dot(result.graph, result.areas), nl=False)
    elif fmt == "png":
        click.echo(f"Skrev {drawing} ({result.drawn} objekt).")
    else:
        click.echo(dependency_output.dependencies_table(result.graph, result.findings, result.plan.file), nl=False)


@main.command()
@click.argument("objekt", required=False)
@plan_options
@click.option("--ar", "years", type=click.IntRange(-50, 50), default=None,
              help="Antal år objektet flyttas (negativt = tidigare).")
@click.option("--fran-ar", type=click.IntRange(1900, 2200), default=None,
              help="Utgifter från och med detta år flyttas (standard: planens första år; utfall flyttas aldrig).")
@click.option("--index", "index", type=click.Choice(["ingen", "kpi", "entreprenad"]), default="ingen", show_default=True,
              help="Räkna upp flyttade utgifter med ett kostnadsindex per flyttat år (models/index/).")
@click.option("--rangordna", is_flag=True, help="Ett års försening av varje objekt för sig, störst effekt först.")
@click.option("--format", "fmt", type=click.Choice(["tabell", "json"]), default="tabell", show_default=True)
@handle_errors
def forsening(objekt, plan, models_dir, ranta, till_ar, mapping_path, years, fran_ar, index, rangordna, fmt):
    """Flyttar OBJEKT:s driftsättning och utgifter --ar år och visar Δ investeringar, avskrivningar,
    räntekostnader, kapitalkostnader och andel per år i planperioden (--till-ar förlänger tabellen), och
    summan av Δ över de flyttade tillgångarnas återstående livslängd. Objekt som beror på OBJEKT flyttas så
    lite som behövs (hela år) för att tas i bruk tidigast när det de väntar på (+ fördröjning) är klart.

    \b
    Exempel:
      invest forsening TB-NSO --ar 2
      invest forsening TB-NSO --ar 2 --index entreprenad --format json
      invest forsening FF-HANDEN --ar -1 plan.xlsx
      invest forsening TB-NSO --ar 2 --till-ar 2060
      invest forsening --rangordna
    """
    from invest.outputs import delay_output

    if rangordna and objekt and plan is None:  # `invest forsening --rangordna plan.xlsx`: the one argument is the plan
        objekt, plan = None, Path(objekt)
    result = pipeline.delay(inputs(plan, models_dir, ranta, till_ar, mapping_path), objekt, years, fran_ar, index,
                            rangordna)
    calc = result.calculation
    if rangordna:
        show = delay_output.ranking_json if fmt == "json" else delay_output.ranking_table
        click.echo(show(calc, result.ranking, result.skipped, result.delays.from_year, index), nl=fmt == "json")
    elif fmt == "json":
        click.echo(delay_output.delay_json(calc, result.result))
    else:
        click.echo(delay_output.delay_table(calc, result.result), nl=False)


@main.command()
@click.argument("forslag", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--plan", type=click.Path(path_type=Path), default=None,
              help="Planen förslagen läggs till (standard: standardplanen).")
@calculation_options
@click.option("--format", "fmt", type=click.Choice(["tabell", "json"]), default="tabell", show_default=True)
@click.option("--utdata", type=click.Path(path_type=Path), default=Path("reports"), show_default=True,
              help="Katalog som resultatet (xlsx-blad och diagram) skrivs till.")
@handle_errors
def kontroll(forslag, plan, models_dir, ranta, till_ar, mapping_path, fmt, utdata):
    """Prövar föreslagna objekt i FORSLAG (en eller flera arbetsböcker i valfri layout som importen läser)
    mot riktvärdet: andelen per år med och utan förslaget, marginalen, största skalfaktor och tidigaste
    startår som ryms, och för flera förslag var för sig, tillsammans och i vilken ordning de ryms.

    Bedömningen är godkänt (alla år under riktvärdet), godkänt utan försämring (planen överskrider redan
    riktvärdet på egen hand; förslaget lägger inte till något år över det och höjer inte andelen de år
    planen redan överskrider) eller ej godkänt. Avslutar med kod 0 för godkänt och godkänt utan försämring
    (samtliga förslag tillsammans), 1 för ej godkänt och 2 vid fel i indata.

    \b
    Exempel:
      invest kontroll forslag.xlsx
      invest kontroll forslag.xlsx --plan plan.xlsx --format json
      invest kontroll nya_depaer.xlsx nya_fordon.xlsx --ranta 0.03
    """
    from invest.outputs import proposal_output

    r = pipeline.check_proposals(inputs(plan, models_dir, ranta, till_ar, mapping_path), list(forslag), utdata)
    show = proposal_output.check_json if fmt == "json" else proposal_output.check_table
    click.echo(show(r.calculation, r.verdicts, r.admission, r.files, r.warnings, r.written), nl=fmt == "json")
    sys.exit(EXIT_OK if r.passed else EXIT_CHECK_FAILED)


@main.command()
@click.argument("fil", type=click.Path(path_type=Path))
@click.option("-o", "--utdata", type=click.Path(path_type=Path), required=True,
              help="Planen i mallformat som skrivs (skrivs inte om det finns fel).")
@models_option
@mapping_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--forklara", is_flag=True,
              help="Visa hur varje blad lästes: rubrikområde, enhet, vad varje kolumn och rad togs som, standardvärden.")
@handle_errors
def importera(fil, utdata, models_dir, mapping_path, fmt, forklara):
    """Läser en nämnds arbetsbok i eget format, rapporterar varje problem med blad och cell och skriver en
    validerad plan i mallformat.

    Kolumner hittas på rubrikernas text (svenska och engelska), summarader och varav-rader kontrolleras mot
    objekten, belopp i tkr/mdkr räknas om till mnkr. Inget skrivs om det finns fel (avslutar med kod 2).

    \b
    Exempel:
      invest importera trafiknamnden.xlsx -o plan.xlsx
      invest importera namnd.xlsx -o plan.xlsx --mapping kolumner.yaml --format json
      invest importera namnd.xlsx -o plan.xlsx --forklara
    """
    from invest.outputs.findings_output import import_json, import_text
    from invest.outputs.import_explanation import explanation_json, explanation_text

    r = pipeline.import_workbook(fil, utdata, models_dir, mapping_path)
    if fmt == "json":
        click.echo(import_json(r.source, r.target, r.plan, r.findings,
                               explanation_json(list(r.readings)) if forklara else None))
        sys.exit(EXIT_BAD_INPUT if r.plan is None else EXIT_OK)
    if forklara:
        click.echo(explanation_text(list(r.readings)))
    if r.plan is None:
        raise InputError(r.findings)
    click.echo(import_text(r.source, r.target, r.plan), nl=False)
    sys.exit(EXIT_BAD_INPUT if r.plan is None else EXIT_OK)


@main.command()
@click.option("-o", "--utdata", type=click.Path(path_type=Path), default=Path("investeringsplan_mall.xlsx"),
              show_default=True, help="Filen som mallen skrivs till.")
@click.option("--fran-ar", type=click.IntRange(1900, 2200), default=2026, show_default=True, help="Planens första år.")
@click.option("--till-ar", type=click.IntRange(1900, 2200), default=2035, show_default=True, help="Planens sista år.")
@models_option
@handle_errors
def mall(utdata, fran_ar, till_ar, models_dir):
    """Skriver en tom plan i mallformat med instruktioner och rullgardinslistor.

    \b
    Exempel:
      invest mall
      invest mall -o trafiknamnden.xlsx --fran-ar 2027 --till-ar 2036
    """
    pipeline.template(utdata, fran_ar, till_ar, models_dir)
    click.echo(f"Skrev {utdata}: bladet Objekt med kolumner {fran_ar}–{till_ar} och t.o.m. {fran_ar - 1}, "
               "rullgardinslistor och bladet Instruktioner.")


if __name__ == "__main__":
    main()
