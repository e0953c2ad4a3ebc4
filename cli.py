"""The `invest` command: capital costs of an investment plan against the riktvärde (Swedish user interface)."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click

from invest.findings import ERROR, InputError
from invest.paths import DEFAULT_MODELS_DIR, resolve_plan

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
    """The options every command that reads a plan shares."""
    command = click.argument("plan", required=False, type=click.Path(path_type=Path))(command)
    command = click.option("--models", "models_dir", type=click.Path(path_type=Path), default=DEFAULT_MODELS_DIR,
                           show_default="models/", help="Katalog med daterade parametrar (YAML).")(command)
    command = click.option("--ranta", type=click.FloatRange(-0.05, 0.5), default=None,
                           help="Platt ränta för alla räntor i beräkningen (t.ex. 0.025), marginal 0.")(command)
    command = click.option("--till-ar", type=click.IntRange(1900, 2200), default=None,
                           help="Räkna regiontabellen till och med detta år (standard: planens sista år).")(command)
    return command


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
def berakna(plan, models_dir, ranta, till_ar, fmt, per_objekt):
    """Skriver årets siffror: investeringar, avskrivningar, räntekostnader, kapitalkostnader, andel och marginal.

    \b
    Exempel:
      invest berakna
      invest berakna plan.xlsx --format csv > region.csv
      invest berakna plan.xlsx --per-objekt --format csv --ranta 0.025
    """
    from invest.calculation import run
    from invest import output

    calc = run(resolve_plan(plan), models_dir, ranta, till_ar)
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
def validera(plan, models_dir, ranta, till_ar, fmt):
    """Kontrollerar en plan och listar fel och varningar med blad och cell. Avslutar med kod 1 vid fel.

    Ett år över riktvärdet är en varning här (och ett fel i `invest kontroll`).

    \b
    Exempel:
      invest validera plan.xlsx
      invest validera plan.xlsx --format json
    """
    import json

    from invest.calculation import calculate
    from invest.parameters import Models
    from invest.plan_reader import read_plan
    from invest.riktvarde import breach_findings
    from invest.workbook import open_workbook

    models = Models.load(models_dir, ranta)
    path = resolve_plan(plan)
    open_workbook(path).close()  # a file that cannot be opened at all is exit 2, not a finding
    try:
        parsed = read_plan(path, models)
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
def rapport(plan, models_dir, ranta, till_ar, utdata):
    """Skriver kapitalkostnadsrapporten: Excel-arbetsbok, diagram (PNG och PDF) och sammanfattning.

    \b
    Exempel:
      invest rapport
      invest rapport plan.xlsx --utdata rapporter/
    """
    from invest.calculation import run
    from invest.report import summary_text, write_report

    calc = run(resolve_plan(plan), models_dir, ranta, till_ar)
    written = write_report(calc, utdata)
    click.echo(summary_text(calc, written), nl=False)


if __name__ == "__main__":
    main()
