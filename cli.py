"""The `invest` command: capital costs of an investment plan against the riktvärde (Swedish user interface)."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click

from invest.base.findings import ERROR, InputError, error
from invest.base.resources import DEFAULT_MODELS_DIR, resolve_plan

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def handle_errors(command):
    """Input problems become messages and exit 2; no traceback reaches the user."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except InputError as exc:
            for finding in exc.findings:
                click.echo(str(finding), err=True)
            n = sum(1 for f in exc.findings if f.level == ERROR)
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
    command = click.option("--models", "models_dir", type=click.Path(path_type=Path), default=DEFAULT_MODELS_DIR,
                           show_default="models/", help="Katalog med daterade parametrar (YAML).")(command)
    command = click.option("--ranta", type=click.FloatRange(-0.05, 0.5), default=None,
                           help="Platt ränta för alla räntor i beräkningen (t.ex. 0.025), marginal 0.")(command)
    command = click.option("--till-ar", type=click.IntRange(1900, 2200), default=None,
                           help="Räkna regiontabellen till och med detta år (standard: planens sista år).")(command)
    return mapping_option(command)


def mapping_option(command):
    return click.option("--mapping", "mapping_path", type=click.Path(path_type=Path), default=None,
                        help="YAML-fil som mappar okända kolumnrubriker till mallens kolumner (se README).")(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="invest", prog_name="invest")
def main():
    """Kapitalkostnader för en investeringsplan mot riktvärdet: avskrivningar + räntekostnader
    under 8 % av totala intäkter.

    PLAN är en arbetsbok i mallformatet; utan PLAN används data/investeringsplan/.
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
    from invest.engine.calculation import run
    from invest.outputs import calculation_output as output

    calc = run(resolve_plan(plan), models_dir, ranta, till_ar, mapping_path)
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
    import json

    from invest.engine.calculation import calculate
    from invest.excel.mapping import load_mapping
    from invest.params.parameters import Models
    from invest.excel.reader import read_plan
    from invest.analyses.riktvarde import breach_findings
    from invest.excel.workbook import open_workbook

    models = Models.load(models_dir, ranta)
    mapping = load_mapping(mapping_path)
    path = resolve_plan(plan)
    open_workbook(path).close()  # a file that cannot be opened at all is exit 2, not a finding
    try:
        parsed = read_plan(path, models, mapping)
        findings = list(parsed.warnings) + breach_findings(calculate(parsed, path, models, till_ar))
    except InputError as exc:
        findings = exc.findings
    n_err = sum(1 for f in findings if f.level == ERROR)
    n_warn = len(findings) - n_err
    if fmt == "json":
        click.echo(json.dumps({"plan": str(path), "fel": n_err, "varningar": n_warn,
                               "fynd": [f.as_dict() for f in findings]}, ensure_ascii=False, indent=2))
    else:
        for f in findings:
            click.echo(str(f))
        click.echo(f"{path}: {n_err} fel, {n_warn} varningar.")
    sys.exit(EXIT_CHECK_FAILED if n_err else EXIT_OK)


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
    from invest.engine.calculation import run
    from invest.outputs.report import write_report

    calc = run(resolve_plan(plan), models_dir, ranta, till_ar, mapping_path)
    click.echo(write_report(calc, utdata)[1], nl=False)


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
    from invest.plan.dependency_graph import DependencyGraph
    from invest.excel.mapping import load_mapping
    from invest.params.parameters import Models
    from invest.excel.reader import read_plan
    from invest.plan.checks import check_dependencies
    from invest.outputs import dependency_output

    models = Models.load(models_dir, ranta)
    path = resolve_plan(plan)
    parsed = read_plan(path, models, load_mapping(mapping_path))
    graph = DependencyGraph(parsed)
    findings = check_dependencies(parsed, models)
    if fmt == "json":
        click.echo(dependency_output.dependencies_json(graph, findings, path))
    elif fmt == "dot":
        click.echo(dependency_output.dependencies_dot(graph), nl=False)
    elif fmt == "png":
        from invest.outputs.dependency_chart import dependency_chart

        target = utdata / "beroenden.png"
        first = parsed.plan_years[0]
        n = dependency_chart(graph, models.conventions(first), first, target,
                             f"Beroenden mellan investeringsobjekt — {path.name}", everything=alla)
        click.echo(f"Skrev {target} ({n} objekt).")
    else:
        click.echo(dependency_output.dependencies_table(graph, findings, path), nl=False)


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
    räntekostnader, kapitalkostnader och andel per år. Objekt som beror på OBJEKT flyttas så lite som behövs
    (hela år) för att tas i bruk tidigast när det de väntar på (+ fördröjning) är klart.

    \b
    Exempel:
      invest forsening TB-NSO --ar 2
      invest forsening TB-NSO --ar 2 --index entreprenad --format json
      invest forsening FF-HANDEN --ar -1 plan.xlsx
      invest forsening --rangordna
    """
    from invest.engine.calculation import run
    from invest.analyses.delay import Delays
    from invest.outputs import delay_output

    if rangordna and objekt and plan is None:  # `invest forsening --rangordna plan.xlsx`: the one argument is the plan
        objekt, plan = None, Path(objekt)
    if not rangordna and (objekt is None or years is None):
        raise InputError([error("forsening", "ange OBJEKT och --ar N (eller --rangordna)")])
    calc = run(resolve_plan(plan), models_dir, ranta, till_ar, mapping_path)
    delays = Delays(calc, fran_ar, index)
    if rangordna:
        ranking, skipped = delays.rank()
        show = delay_output.ranking_json if fmt == "json" else delay_output.ranking_table
        click.echo(show(calc, ranking, skipped, delays.from_year, index), nl=fmt == "json")
        return
    result = delays.delay(objekt, years)
    if fmt == "json":
        click.echo(delay_output.delay_json(calc, result))
    else:
        click.echo(delay_output.delay_table(calc, result), nl=False)


@main.command()
@click.argument("forslag", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--plan", type=click.Path(path_type=Path), default=None,
              help="Planen förslagen läggs till (standard: data/investeringsplan/).")
@calculation_options
@click.option("--format", "fmt", type=click.Choice(["tabell", "json"]), default="tabell", show_default=True)
@click.option("--utdata", type=click.Path(path_type=Path), default=Path("reports"), show_default=True,
              help="Katalog som resultatet (xlsx-blad och diagram) skrivs till.")
@handle_errors
def kontroll(forslag, plan, models_dir, ranta, till_ar, mapping_path, fmt, utdata):
    """Prövar föreslagna objekt i FORSLAG (en eller flera arbetsböcker i valfri layout som importen läser)
    mot riktvärdet: andelen per år med och utan förslaget, marginalen, största skalfaktor och tidigaste
    startår som ryms, och för flera förslag var för sig, tillsammans och i vilken ordning de ryms.
    Avslutar med kod 0 när alla år klarar riktvärdet, 1 när något år överskrider det och 2 vid fel i indata.

    \b
    Exempel:
      invest kontroll forslag.xlsx
      invest kontroll forslag.xlsx --plan plan.xlsx --format json
      invest kontroll nya_depaer.xlsx nya_fordon.xlsx --ranta 0.03
    """
    from invest.engine.calculation import run
    from invest.excel.mapping import load_mapping
    from invest.excel.reader import read_proposal
    from invest.analyses.proposals import ProposalCheck
    from invest.outputs.proposal_report import write_check_report
    from invest.outputs import proposal_output

    calc = run(resolve_plan(plan), models_dir, ranta, till_ar, mapping_path)
    objects, warnings = read_proposal(list(forslag), calc.plan, calc.models, load_mapping(mapping_path))
    check = ProposalCheck(calc, objects)
    verdicts, admission = check.verdicts(), check.admission()
    written = write_check_report(calc, verdicts, admission, list(forslag), warnings, utdata)
    show = proposal_output.check_json if fmt == "json" else proposal_output.check_table
    click.echo(show(calc, verdicts, admission, list(forslag), warnings, written), nl=fmt == "json")
    sys.exit(EXIT_OK if verdicts[-1].godkand else EXIT_CHECK_FAILED)


@main.command()
@click.argument("fil", type=click.Path(path_type=Path))
@click.option("-o", "--utdata", type=click.Path(path_type=Path), required=True,
              help="Planen i mallformat som skrivs (skrivs inte om det finns fel).")
@click.option("--models", "models_dir", type=click.Path(path_type=Path), default=DEFAULT_MODELS_DIR,
              show_default="models/", help="Katalog med daterade parametrar (YAML).")
@mapping_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handle_errors
def importera(fil, utdata, models_dir, mapping_path, fmt):
    """Läser en nämnds arbetsbok i eget format, rapporterar varje problem med blad och cell och skriver en
    validerad plan i mallformat.

    Kolumner hittas på rubrikernas text (svenska och engelska), summarader och varav-rader kontrolleras mot
    objekten, belopp i tkr/mdkr räknas om till mnkr. Inget skrivs om det finns fel (avslutar med kod 2).

    \b
    Exempel:
      invest importera trafiknamnden.xlsx -o plan.xlsx
      invest importera namnd.xlsx -o plan.xlsx --mapping kolumner.yaml --format json
    """
    import json

    from invest.excel.mapping import load_mapping
    from invest.params.parameters import Models
    from invest.excel.reader import read_plan
    from invest.excel.template import plan_to_workbook

    models = Models.load(models_dir)
    mapping = load_mapping(mapping_path)
    if utdata.resolve() == Path(fil).resolve():
        raise InputError([error(str(utdata), "utdata får inte vara samma fil som indata (indata ändras aldrig)")])
    try:
        plan = read_plan(Path(fil), models, mapping)
    except InputError as exc:
        if fmt != "json":
            raise
        click.echo(json.dumps(_import_result(fil, None, exc.findings, None), ensure_ascii=False, indent=2))
        sys.exit(EXIT_BAD_INPUT)
    plan_to_workbook(plan, utdata, tuple(sorted(models.asset_classes)))
    if fmt == "json":
        click.echo(json.dumps(_import_result(fil, utdata, plan.warnings, plan), ensure_ascii=False, indent=2))
        return
    from invest.base.swedish import number

    for finding in plan.warnings:
        click.echo(str(finding))
    totals = {}
    for o in plan.objects:
        for year, amount in o.utgifter:
            totals[year] = totals.get(year, 0.0) + amount
    click.echo(f"{fil}: {len(plan.objects)} objekt, {len(plan.warnings)} varningar. Skrev {utdata}.")
    click.echo("Utgift per år (mnkr): " + ", ".join(f"{y}: {number(a)}" for y, a in sorted(totals.items())))


def _import_result(fil, utdata, findings, plan) -> dict:
    n_err = sum(1 for f in findings if f.level == ERROR)
    return {"fil": str(fil), "utdata": str(utdata) if utdata else None, "skrivet": plan is not None,
            "objekt": len(plan.objects) if plan else 0, "fel": n_err, "varningar": len(findings) - n_err,
            "fynd": [f.as_dict() for f in findings]}


@main.command()
@click.option("-o", "--utdata", type=click.Path(path_type=Path), default=Path("investeringsplan_mall.xlsx"),
              show_default=True, help="Filen som mallen skrivs till.")
@click.option("--fran-ar", type=click.IntRange(1900, 2200), default=2026, show_default=True, help="Planens första år.")
@click.option("--till-ar", type=click.IntRange(1900, 2200), default=2035, show_default=True, help="Planens sista år.")
@click.option("--models", "models_dir", type=click.Path(path_type=Path), default=DEFAULT_MODELS_DIR,
              show_default="models/", help="Katalog med daterade parametrar (tillgångsklasserna i listan).")
@handle_errors
def mall(utdata, fran_ar, till_ar, models_dir):
    """Skriver en tom plan i mallformat med instruktioner och rullgardinslistor.

    \b
    Exempel:
      invest mall
      invest mall -o trafiknamnden.xlsx --fran-ar 2027 --till-ar 2036
    """
    from invest.params.parameters import Models
    from invest.excel.template import write_plan_workbook

    if till_ar < fran_ar:
        raise InputError([error("--till-ar", f"{till_ar} ligger före --fran-ar {fran_ar}")])
    if utdata.exists():
        raise InputError([error(str(utdata), "filen finns redan; välj ett annat namn med -o (befintliga filer skrivs inte över)")])
    models = Models.load(models_dir)
    write_plan_workbook(utdata, list(range(fran_ar, till_ar + 1)), fran_ar - 1, [],
                        asset_classes=tuple(sorted(models.asset_classes)))
    click.echo(f"Skrev {utdata}: bladet Objekt med kolumner {fran_ar}–{till_ar} och t.o.m. {fran_ar - 1}, "
               "rullgardinslistor och bladet Instruktioner.")


if __name__ == "__main__":
    main()
