"""One function per command: inputs in, a result record out. The only place that reads files for a command,
applies the --ranta overlay (once, to the models) and decides what a command's outcome is; cli.py only renders.
A command that writes writes into one folder (`directory`, created if missing) inside an `output_guard`: an existing
file is replaced only with `overwrite`, an input file never, and a failure leaves nothing half-written. Each step
is named on the status line (`step`), which a terminal shows while a command works."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from invest.analyses.guidelines import RuleCheck, rule_check
from invest.analyses.riktvarde import guideline_findings
from invest.base.atomic import output_guard, pending
from invest.base.findings import Finding, InputError, UnreadableFile, error, errors
from invest.base.progress import step
from invest.base.resources import resolve_plan
from invest.engine.calculation import Calculation, calculate
from invest.excel.mapping import load_mapping
from invest.excel.sheet_reading import SheetReading
from invest.excel.reader import read_plan, read_proposal
from invest.outputs.budget_view import budget_figures
from invest.outputs.chart_process import ChartProcess
from invest.params.parameters import Models
from invest.plan.checks import check_dependencies
from invest.plan.dependency_graph import DependencyGraph
from invest.plan.records import Plan

if TYPE_CHECKING:  # each analysis is imported by the command that runs it: `invest rapport` starts without them
    from invest.analyses.delay import DelayResult, Delays
    from invest.analyses.proposals import Admission, Verdict
    from invest.analyses.risk import RiskResult
    from invest.analyses.scenarios import ScenarioResult
    from invest.analyses.sensitivity import SensitivityResult
    from invest.analyses.optimizer import OptimisationResult
    from invest.analyses.plan_versions import Comparison


@dataclass(frozen=True)
class Inputs:
    """What every command that reads a plan is given: the plan (None = the default plan), the models folder
    (None = the bundled models), the flat rate of --ranta, the last region year and a column mapping."""

    plan: Path | None = None
    models_dir: Path | None = None
    flat_rate: float | None = None
    until_year: int | None = None
    mapping_path: Path | None = None
    rules_dir: Path | str | None = None  # --riktlinjer: a folder of guideline rules, or a preset's name


def load_models(models_dir: Path | None = None, flat_rate: float | None = None,
                rules_dir: Path | str | None = None) -> Models:
    """The parameters, with --ranta applied as an overlay before anything computes, and the guidelines of
    --riktlinjer in place of models/riktlinjer/."""
    return Models.load(models_dir).with_flat_rate(flat_rate).with_rules(rules_dir)


def load_plan(inputs: Inputs, models: Models) -> Plan:
    """The one way a plan is read: a workbook or a folder with one (resolve_plan), in any layout the importer reads."""
    path = resolve_plan(inputs.plan)
    step(f"Läser {path.name}")
    return read_plan(path, models, load_mapping(inputs.mapping_path))


def calculate_plan(inputs: Inputs) -> Calculation:
    """`invest berakna` and `invest rapport` (and every command computing on a plan): read and compute."""
    models = load_models(inputs.models_dir, inputs.flat_rate, inputs.rules_dir)
    plan = load_plan(inputs, models)
    step("Räknar")
    return calculate(plan, models, inputs.until_year)


def _inputs_of(inputs: Inputs, *more: Path | None) -> list[Path | None]:
    """The files a command reads, which it never writes over: the plan (never the bundled one: resolve_plan), the
    mapping and `more`."""
    return [resolve_plan(inputs.plan) if inputs.plan else None, inputs.mapping_path, *more]


@dataclass(frozen=True)
class Validation:
    plan_file: str
    findings: list[Finding]

    @property
    def errors(self) -> int:
        return len(errors(self.findings))


def validate(inputs: Inputs) -> Validation:
    """`invest validera`: the plan's findings, the riktvärde breaches as warnings. A file that cannot be opened as
    a workbook at all raises (exit 2); problems inside it are findings (exit 1)."""
    models = load_models(inputs.models_dir, inputs.flat_rate, inputs.rules_dir)
    path, mapping = resolve_plan(inputs.plan), load_mapping(inputs.mapping_path)
    step(f"Läser {path.name}")
    try:
        plan = read_plan(path, models, mapping)
        findings = list(plan.warnings) + guideline_findings(calculate(plan, models, inputs.until_year))
    except UnreadableFile:
        raise
    except InputError as exc:
        findings = exc.findings
    return Validation(path.name, findings)


@dataclass(frozen=True)
class Report:
    calculation: Calculation
    written: list[Path]
    summary: str


def report(inputs: Inputs, directory: Path, overwrite: bool = False, charts: ChartProcess | None = None) -> Report:
    """`invest rapport`: the audit workbook, the A4 PDF report, the four charts and the summary in `directory`; the
    charts drawn by `charts`, a chart process started before the plan was read (else one is started now), from the
    moment the plan is computed."""
    if charts is None:
        with ChartProcess() as started:
            return report(inputs, directory, overwrite, started)
    calc = calculate_plan(inputs)
    step("Skriver rapporten")
    charts.draw(budget_figures(calc))  # drawn from now on, while the report's writers load and write
    from invest.outputs.report import write_report  # the report's writers are loaded for a report only

    with output_guard(overwrite, _inputs_of(inputs)):
        written, summary = write_report(calc, Path(directory), charts)
    return Report(calc, written, summary)


@dataclass(frozen=True)
class Dependencies:
    plan: Plan
    graph: DependencyGraph
    findings: list[Finding]
    drawing: Path | None = None
    drawn: int = 0
    areas: tuple[str, ...] = ()  # the models' verksamhetsområden, in the order their colours are given


def dependencies(inputs: Inputs, drawing: Path | None = None, everything: bool = False,
                 overwrite: bool = False) -> Dependencies:
    """`invest beroenden`: the dependency graph and its findings; with `drawing`, the drawing written there."""
    models = load_models(inputs.models_dir, inputs.flat_rate, inputs.rules_dir)
    plan = load_plan(inputs, models)
    graph = DependencyGraph(plan)
    drawn = 0
    first = plan.first_year
    areas = models.areas(first)
    if drawing is not None:
        step("Ritar beroendena")
        from invest.outputs.dependency_chart import dependency_chart  # matplotlib only when drawn

        with output_guard(overwrite, _inputs_of(inputs)):
            drawn = dependency_chart(graph, models.conventions(first), first, drawing,
                                     f"Beroenden mellan investeringsobjekt — {plan.file}", everything=everything,
                                     areas=areas)
    return Dependencies(plan, graph, check_dependencies(plan, models), drawing, drawn, areas)


@dataclass(frozen=True)
class Delay:
    calculation: Calculation
    delays: Delays
    result: DelayResult | None = None
    ranking: list | None = None
    skipped: list | None = None
    drawing: Path | None = None  # the chart of the share before and after (--diagram)


def delay(inputs: Inputs, object_id: str | None, years: int | None, from_year: int | None, index: str,
          rank: bool, directory: Path | None = None, overwrite: bool = False) -> Delay:
    """`invest forsening`: one delay of `object_id` by `years`, or (rank) every one-year delay ranked; with a
    `directory`, the chart of the share before and after the delay is drawn there."""
    if not rank and (object_id is None or years is None):
        raise InputError([error("forsening", "ange --objekt ID och --ar N (eller --rangordna)")])
    from invest.analyses.delay import Delays

    calc = calculate_plan(inputs)
    delays = Delays(calc, from_year, index)
    if rank:
        step("Rangordnar ett års försening av varje objekt")
        ranking, skipped = delays.rank()
        return Delay(calc, delays, ranking=ranking, skipped=skipped)
    result = delays.delay(object_id, years)
    drawing = None
    if directory is not None:
        if not calc.region.has_share:
            raise InputError([error(calc.plan.file, "planen saknar bladet Region: diagrammet över andelen kräver "
                                                    "totala intäkter per år")])
        from invest.outputs.chart import delay_chart  # matplotlib only when drawn

        t = result.table.filter(pl.col("ar").is_in(list(calc.plan.plan_years)))
        drawing = Path(directory) / f"forsening_{_file_part(object_id)}_{years:+d}_ar.png"
        title = f"Försening av {object_id} {years:+d} år: andelen av totala intäkter före och efter"
        with output_guard(overwrite, _inputs_of(inputs)):
            delay_chart(t["ar"].to_list(), t["andel_fore"].to_list(), t["andel_efter"].to_list(),
                        calc.conventions.riktvarde, title, [drawing], footer=f"Plan: {Path(calc.plan.file).name}")
    return Delay(calc, delays, result=result, drawing=drawing)


def _file_part(text: str) -> str:
    """An object id as part of a file name: letters, digits, - and _ kept, the rest made _."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text) or "objekt"


@dataclass(frozen=True)
class Check:
    calculation: Calculation
    verdicts: list[Verdict]
    admission: Admission
    files: list[Path]
    warnings: list[Finding]
    written: list[Path]
    rules: RuleCheck | None = None

    @property
    def passed(self) -> bool:
        """All proposals together are godkänt (every year under the riktvärde) or godkänt utan försämring (the plan
        breaches alone; they add no year over it and raise the share in none of the years it breaches) — when the
        riktvärde is among the active rules — and miss no other active rule in a year the plan meets it."""
        from invest.params.parameters import RIKTVARDE_RULE

        checked = self.rules.changed if self.rules is not None else []
        riktvarde = not checked or any(r.rule.id == RIKTVARDE_RULE for r in checked)
        return ((self.verdicts[-1].passed or not riktvarde)
                and not any(self.rules.newly_missed(r) for r in checked if r.rule.id != RIKTVARDE_RULE))


PROPOSALS_HINT = "förslag anges med --forslag FIL (invest kontroll [PLAN] --forslag FIL)"


def _refuse_plan_without_region(calc: Calculation, inputs: Inputs) -> None:
    """Before the proposals are read: a plan without a Region sheet is refused (a proposal given as PLAN has none,
    and the message says how proposals are given)."""
    from invest.analyses.proposals import ProposalCheck

    if calc.region.has_share:
        return
    try:
        ProposalCheck(calc, ())  # refuses a plan without one, in its own words
    except InputError as exc:
        if inputs.plan is None:
            raise
        raise InputError([replace(f, message=f"{f.message}; {calc.plan.file} lästes som planen (PLAN) — "
                                             f"{PROPOSALS_HINT}") if f.location == calc.plan.file else f
                          for f in exc.findings]) from None


def check_proposals(inputs: Inputs, files: list[Path], directory: Path, overwrite: bool = False) -> Check:
    """`invest kontroll`: the proposals in `files` on top of the plan, and the one-page result in `directory`."""
    from invest.analyses.proposals import ProposalCheck

    calc = calculate_plan(inputs)
    _refuse_plan_without_region(calc, inputs)
    step("Läser förslagen")
    objects, warnings = read_proposal(files, calc.plan, calc.models, load_mapping(inputs.mapping_path))
    step("Prövar förslagen mot riktvärdet")
    check = ProposalCheck(calc, objects)
    verdicts, admission = check.verdicts(), check.admission()
    rules = rule_check(calc, check.delta)
    step("Skriver resultatet")
    from invest.outputs.proposal_report import write_check_report  # matplotlib only when drawn

    with output_guard(overwrite, _inputs_of(inputs, *files)):
        written = write_check_report(calc, verdicts, admission, files, warnings, Path(directory))
    return Check(calc, verdicts, admission, files, warnings, written, rules)


@dataclass(frozen=True)
class Optimum:
    """`invest optimera`: the result, and the proposal files' warnings."""

    result: OptimisationResult
    files: list[Path]
    warnings: tuple[Finding, ...]


def optimize(inputs: Inputs, files: list[Path], gap: float, time_limit: float) -> Optimum:
    """`invest optimera`: the best set and start years of the proposals in `files` under every active rule."""
    from invest.analyses.optimizer import optimise

    calc = calculate_plan(inputs)
    _refuse_plan_without_region(calc, inputs)
    step("Läser förslagen")
    objects, warnings = read_proposal(files, calc.plan, calc.models, load_mapping(inputs.mapping_path))
    step("Söker den bästa mängden förslag och startår")
    return Optimum(optimise(calc, objects, gap, time_limit), files, warnings)


def compare_versions(inputs: Inputs, later: Path, directory: Path | None = None, overwrite: bool = False,
                     year: int | None = None) -> Analysis:
    """`invest jamfor`: why the plan `later` (B) differs from `inputs.plan` (A), by cause, both with one models; with
    a `directory`, the waterfall chart of `year` (default: the year the share changed most) and the workbook."""
    from invest.analyses.plan_versions import compare

    models = load_models(inputs.models_dir, inputs.flat_rate, inputs.rules_dir)
    plan_a, plan_b = load_plan(inputs, models), load_plan(replace(inputs, plan=later), models)
    step("Fördelar förändringen på orsaker")
    result = compare(plan_a, plan_b, models)
    if year is not None and year not in result.years:
        raise InputError([error("--ar", f"året {year} är inget planår ({result.years[0]}–{result.years[-1]})")])

    def write(r, folder: Path) -> list[Path]:
        from invest.outputs.comparison_report import write_comparison_report
        return write_comparison_report(r, folder, year)
    return _deliver(inputs, result, directory, overwrite, write, later)


@dataclass(frozen=True)
class Analysis:
    """The result of `invest scenario`, `kanslighet` or `risk`, and the files written (with --arbetsbok)."""

    result: ScenarioResult | SensitivityResult | RiskResult
    written: list[Path]


def _deliver(inputs: Inputs, result, directory: Path | None, overwrite: bool, write, *read: Path) -> Analysis:
    """`result` with, when a `directory` is given, its workbook and chart written there by `write`."""
    written: list[Path] = []
    if directory is not None:
        step("Skriver resultatet")
        with output_guard(overwrite, _inputs_of(inputs, *read)):
            written = write(result, Path(directory))
    return Analysis(result, written)


# The writers, each imported only when it writes: matplotlib only when something is drawn.
def _write_scenarios(result: ScenarioResult, directory: Path) -> list[Path]:
    from invest.outputs.scenario_report import write_scenario_report
    return write_scenario_report(result, directory)


def _write_sensitivity(result: SensitivityResult, directory: Path) -> list[Path]:
    from invest.outputs.sensitivity_report import write_sensitivity_report
    return write_sensitivity_report(result, directory)


def _write_risk(result: RiskResult, directory: Path) -> list[Path]:
    from invest.outputs.risk_report import write_risk_report
    return write_risk_report(result, directory)


def scenarios(inputs: Inputs, file: Path, directory: Path | None = None, overwrite: bool = False) -> Analysis:
    """`invest scenario`: the named scenarios of `file` (YAML or a workbook's sheet Scenarier) beside the base."""
    from invest.analyses.scenario_spec import read_scenarios
    from invest.analyses.scenarios import run_scenarios

    calc = calculate_plan(inputs)
    step(f"Läser {Path(file).name}")
    specs = read_scenarios(file, calc.plan, calc.models)
    mapping, proposals = load_mapping(inputs.mapping_path), {}
    for path, _ in {f for spec in specs for f in spec.proposal_files}:
        proposals[path] = read_proposal([path], calc.plan, calc.models, mapping)[0]
    changes = [replace(spec.change, proposals=tuple(o for path, _ in spec.proposal_files for o in proposals[path]))
               for spec in specs]
    step("Räknar scenarierna")
    return _deliver(inputs, run_scenarios(calc, changes), directory, overwrite,
                    _write_scenarios, file, *proposals)


def sensitivity_analysis(inputs: Inputs, directory: Path | None = None, overwrite: bool = False) -> Analysis:
    """`invest kanslighet`: every driver at its standard steps with its break-even."""
    from invest.analyses.sensitivity import sensitivity

    calc = calculate_plan(inputs)
    step("Räknar känsligheten")
    return _deliver(inputs, sensitivity(calc), directory, overwrite, _write_sensitivity)


def risk_analysis(inputs: Inputs, draws: int, seed: int, directory: Path | None = None,
                  overwrite: bool = False) -> Analysis:
    """`invest risk`: `draws` draws of overruns and delays (models/risk/) from `seed`."""
    from invest.analyses.risk import risk

    calc = calculate_plan(inputs)
    step(f"Drar {draws} utfall")
    return _deliver(inputs, risk(calc, draws, seed), directory, overwrite, _write_risk)


@dataclass(frozen=True)
class Import:
    source: Path
    target: Path
    plan: Plan | None
    findings: list[Finding]
    readings: tuple[SheetReading, ...] = ()  # how each sheet was read (--forklara), also when there are errors


def imported_plan_path(source: Path, directory: Path) -> Path:
    """Where `invest importera` writes the plan read from `source`: `<directory>/<source's stem>_plan.xlsx`."""
    return Path(directory) / f"{Path(source).stem}_plan.xlsx"


def import_workbook(source: Path, directory: Path, models_dir: Path | None = None,
                    mapping_path: Path | None = None, overwrite: bool = False) -> Import:
    """`invest importera`: a nämnd's workbook read and written as a plan in the template format to
    `imported_plan_path`; nothing is written when there are errors (then `plan` is None and `findings` holds them)."""
    models = load_models(models_dir)
    mapping = load_mapping(mapping_path)
    target = imported_plan_path(source, directory)
    if target.resolve() == Path(source).resolve():
        raise InputError([error(str(target), "utdata får inte vara samma fil som indata (indata ändras aldrig)")])
    readings: list[SheetReading] = []
    step(f"Läser {Path(source).name}")
    try:
        plan = read_plan(Path(source), models, mapping, readings)
    except InputError as exc:
        return Import(Path(source), target, None, exc.findings, tuple(readings))
    from invest.excel.readback import unstorable_texts  # openpyxl only when a workbook is written
    from invest.excel.template import plan_to_workbook

    unstorable = unstorable_texts(plan)
    if unstorable:
        return Import(Path(source), target, None, list(plan.warnings) + unstorable, tuple(readings))
    step(f"Skriver {target.name}")
    try:
        with output_guard(overwrite, [Path(source), mapping_path]):
            plan_to_workbook(plan, target, tuple(sorted(models.asset_classes)),
                             models.areas(plan.first_year))
            _read_back(pending(target), plan, models)  # raises before the file is put in place: nothing is left
    except _NotReadBack as exc:
        return Import(Path(source), target, None, list(plan.warnings) + exc.findings, tuple(readings))
    return Import(Path(source), target, plan, list(plan.warnings), tuple(readings))


class _NotReadBack(InputError):
    """The plan `importera` wrote is one the other commands would refuse; its findings point at the source."""


def _read_back(written: Path, plan: Plan, models: Models) -> None:
    """The written plan read with the reader every command uses and computed; its errors (and objects or amounts that
    did not come back as imported) raised as _NotReadBack, each at the source cell it came from where one is known."""
    from invest.excel.readback import READ_BACK_NOTE, at_sources  # openpyxl only when a workbook is written

    step("Läser tillbaka den skrivna planen")
    try:
        back = read_plan(written, models)
        calculate(back, models)
    except InputError as exc:
        raise _NotReadBack(at_sources(errors(exc.findings), written, plan) or exc.findings) from None
    got = {o.id: o for o in back.objects}
    lost = [error(o.source.at("id"), f'objektet "{o.id}" kom inte tillbaka likadant ur den skrivna planen '
                                     f"({READ_BACK_NOTE})")
            for o in plan.objects
            if o.id not in got or abs(got[o.id].total_spend - o.total_spend) > _SAME_MNKR
            or abs(got[o.id].total_medfinansiering - o.total_medfinansiering) > _SAME_MNKR]
    if lost or len(got) != len(plan.objects):
        raise _NotReadBack(lost or [error(plan.file, f"den skrivna planen har {len(got)} objekt, importen "
                                                     f"{len(plan.objects)} ({READ_BACK_NOTE})")])


_SAME_MNKR = 1e-6  # amounts are written as the floats read; only a lost year or object differs by more


TEMPLATE_FILE = "investeringsplan_mall.xlsx"


def template(directory: Path, first_year: int, last_year: int, models_dir: Path | None = None,
             overwrite: bool = False) -> Path:
    """`invest mall`: an empty plan in the template format, `<directory>/investeringsplan_mall.xlsx`; an existing
    file is replaced only with `overwrite`."""
    if last_year < first_year:
        raise InputError([error("--till-ar", f"{last_year} ligger före --fran-ar {first_year}")])
    models = load_models(models_dir)
    target = Path(directory) / TEMPLATE_FILE
    from invest.excel.template import write_plan_workbook  # openpyxl only when a workbook is written

    with output_guard(overwrite):
        write_plan_workbook(target, list(range(first_year, last_year + 1)), first_year - 1, [],
                            asset_classes=tuple(sorted(models.asset_classes)), areas=models.areas(first_year))
    return target
