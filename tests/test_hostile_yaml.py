"""Hostile YAML, in a `--mapping` file and in a models/ file: alias bombs stay small and fast, and every refusal is a
Swedish error at the file and line of the offending node (base/yaml_nodes.py), exit 2 — never an internal error.

Each case runs in a child process bounded to 2 GiB and 60 s (tests/hostile.py); the hypothesis test at the end runs
in process, for speed."""

from __future__ import annotations

import shutil

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import MODELS_DIR, build_plan
from hostile import assert_refused, run_bounded
from invest.base.yaml_nodes import MAX_BYTES, MAX_DEPTH, MAX_NODES
from invest.cli import main
from invest.params.loader import load_models

# "billion laughs": nine levels of nine aliases, 9^9 ≈ 387 million strings from a few hundred bytes
_LEVELS = "abcdefghi"
BOMB = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
    f"{n}: &{n} [{','.join([f'*{p}'] * 9)}]\n" for p, n in zip(_LEVELS, _LEVELS[1:]))
MAPPING_BOMB = BOMB + "kolumner:\n  Projekt: *i\n"  # the tester's file: the header's target is the bomb
MODELS_BOMB = "beskrivning:\n" + "".join("  " + line + "\n" for line in BOMB.splitlines()) + \
    "enhet: andel\nvarden:\n  2024-01-01:\n    varde: 0.025\n    kalla: SKR.\n"

GOOD_MODEL = (MODELS_DIR / "ranta" / "internranta.yaml").read_text(encoding="utf-8")


def _line_1(text: str) -> str:
    """The good file with its first line (beskrivning) replaced by `text`."""
    return text + "\n" + GOOD_MODEL.split("\n", 1)[1]


BIG = "beskrivning: x\n" + "# " + "x" * 78 + "\n"  # repeated to 50 MB below

# name: (text of models/ranta/internranta.yaml, line, a word of the message); bytes are written as they are
MODELS_CASES = {
    "alias-bomb": (MODELS_BOMB, 3, "alias"),
    "python-tagg": (GOOD_MODEL.replace("beskrivning:", "beskrivning: !!python/object:os.system", 1), 1,
                    "taggen !!python/object:os.system"),
    "okand-tagg": (GOOD_MODEL.replace("enhet: andel", "enhet: !foo andel"), 2, "taggen !foo"),
    "lista-som-nyckel": (GOOD_MODEL.replace("enhet: andel", "enhet: andel\n[a, b]: 1"), 3, "nyckel ska vara en text"),
    "tabell-som-nyckel": (GOOD_MODEL.replace("enhet: andel", "enhet: andel\n? [a, b] : 1"), 3,
                          "nyckel ska vara en text"),
    "tom-nyckel": (GOOD_MODEL.replace("enhet: andel", "enhet: andel\n~: 1"), 3, "nyckeln är tom"),
    "enhet-lista": (GOOD_MODEL.replace("enhet: andel", "enhet: [andel]"), 2, "okänd enhet"),
    "beskrivning-lista": (_line_1("beskrivning: [a, b]"), 1, "beskrivning ska vara en text"),
    "heltal-som-inte-ar-tal": (GOOD_MODEL.replace("varde: 0.025", "varde: !!int tva", 1), 5, "heltal"),
    "datum-som-inte-finns": (_line_1("beskrivning: 2024-13-01"), 1, "datum"),
    "skalar-dokument": ("bara en text\n", 1, "inte ett enskilt värde"),
    "lista-dokument": ("- beskrivning\n- enhet\n", 1, "inte en lista"),
    "tva-dokument": (GOOD_MODEL + "---\nbeskrivning: igen\n", GOOD_MODEL.count("\n") + 1, "mer än ett dokument"),
    "ogiltig-utf8": (GOOD_MODEL.encode().replace(b"andel", b"and\xffel", 1), 2, "UTF-8"),
    "tabbar": (GOOD_MODEL.replace("  2024-01-01:", "\t2024-01-01:", 1), 4, "tabb"),
    "djup": (_line_1("beskrivning: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)), 1, "nästlad"),
    "manga-noder": (_line_1("beskrivning: [" + "a," * MAX_NODES + "a]"), 1, f"fler än {MAX_NODES}"),
    "50-mb": (BIG + BIG.splitlines(keepends=True)[1] * (50 * 2**20 // 81), 1, "KiB"),
}

# name: (the mapping file, line, a word of the message)
MAPPING_CASES = {
    "alias-bomb": (MAPPING_BOMB, 2, "alias"),
    "python-tagg": ("kolumner:\n  Projekt: !!python/object:os.system namn\n", 2, "taggen !!python/object:os.system"),
    "okand-tagg": ("kolumner:\n  Projekt: !foo namn\n", 2, "taggen !foo"),
    "lista-som-nyckel": ("kolumner:\n  [Projekt, Namn]: namn\n", 2, "nyckel ska vara en text"),
    "tom-nyckel": ("kolumner:\n  Projekt: namn\n  ~: id\n", 3, "nyckeln är tom"),
    "mal-ar-lista": ("kolumner:\n  Projekt: [namn, id]\n", 2, "ska mappas till en kolumn"),
    "enhet-lista": ("enhet: [tkr]\n", 1, "enhet ska vara en text"),
    "skalar-dokument": ("namn\n", 1, "inte ett enskilt värde"),
    "lista-dokument": ("\n- kolumner\n- enhet\n", 2, "inte en lista"),
    "tva-dokument": ("kolumner:\n  Projekt: namn\n---\nenhet: tkr\n", 3, "mer än ett dokument"),
    "ogiltig-utf8": (b"kolumner:\n  Projekt: namn\n  Kr\xe4vs: ignorera\n", 3, "UTF-8"),
    "tabbar": ("kolumner:\n\tProjekt: namn\n", 2, "tabb"),
    "50-mb": ("kolumner:\n" + ("  # " + "x" * 76 + "\n") * (50 * 2**20 // 81), 1, "KiB"),
}


def _write(path, text) -> None:
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))


@pytest.mark.parametrize("case", sorted(MODELS_CASES))
def test_a_hostile_models_file_is_refused_at_its_line(tmp_path, case):
    text, line, word = MODELS_CASES[case]
    models = shutil.copytree(MODELS_DIR, tmp_path / "models")
    broken = models / "ranta" / "internranta.yaml"
    _write(broken, text)
    outcome = run_bounded(["berakna", "--models", models], name=f"yaml-models-{case}")
    assert_refused(outcome, f"{broken}:{line}", 2, (word,))
    assert outcome.seconds < 10 and outcome.peak_mb < 500, (outcome.seconds, outcome.peak_mb)


def test_validera_refuses_a_broken_models_file_with_exit_2_as_before(tmp_path):
    """A broken models/ folder is no finding in the plan: `invest validera` exits 2 for it, as every command does."""
    models = shutil.copytree(MODELS_DIR, tmp_path / "models")
    broken = models / "ranta" / "internranta.yaml"
    _write(broken, MODELS_CASES["python-tagg"][0])
    outcome = run_bounded(["validera", "--models", models], name="yaml-models-validera")
    assert_refused(outcome, f"{broken}:1", 2, ("taggen",))


@pytest.mark.parametrize("case", sorted(MAPPING_CASES))
def test_a_hostile_mapping_file_is_refused_at_its_line(tmp_path, case):
    text, line, word = MAPPING_CASES[case]
    mapping = tmp_path / "kolumner.yaml"
    _write(mapping, text)
    plan = build_plan(tmp_path / "plan.xlsx", [])
    outcome = run_bounded(["importera", plan, "-o", tmp_path / "ut", "--mapping", mapping], name=f"yaml-mapping-{case}")
    assert_refused(outcome, f"{mapping}:{line}", 2, (word,))
    assert outcome.seconds < 10 and outcome.peak_mb < 500, (outcome.seconds, outcome.peak_mb)
    assert not (tmp_path / "ut").exists()


def test_the_bundled_models_use_no_alias_and_load(tmp_path):
    """The limits leave every file in models/ loading (none uses an anchor, none is near the size limit)."""
    for path in MODELS_DIR.rglob("*.yaml"):
        assert path.stat().st_size < MAX_BYTES // 10, path
        assert not any(isinstance(e, yaml.AliasEvent) for e in yaml.parse(path.read_text(encoding="utf-8"))), path
    assert len(load_models(MODELS_DIR)) >= 30


def test_plain_equals_and_merge_key_are_read_as_text(tmp_path):
    """A plain "=" (YAML's value key) and "<<" (its merge key) are what the user wrote, not a crash or a merge."""
    models = shutil.copytree(MODELS_DIR, tmp_path / "models")
    (models / "ranta" / "internranta.yaml").write_text(_line_1("beskrivning: ="), encoding="utf-8")
    assert load_models(models)["ranta/internranta"].description == "="
    mapping = tmp_path / "m.yaml"
    mapping.write_text("<<: {enhet: tkr}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["berakna", str(build_plan(tmp_path / "p.xlsx", [])), "--mapping", str(mapping)])
    assert result.exit_code == 2 and f'{mapping}:1: fel: okänd nyckel "<<"' in result.output, result.output


# YAML punctuation, anchors, aliases, tags, documents, tabs and a byte that is not UTF-8 (written by surrogateescape)
_TOKENS = ["kolumner", "enhet", "varden", "Projekt", "namn", "tkr", "2026", "tillgangsklass", "ignorera", "~", "=",
           "<<", ":", ": ", "- ", "-", "?", "? ", "[", "]", "{", "}", ",", "&a ", "*a", "&b", "*b", "!foo ",
           "!!python/object:os.system ", "!!int ", "!!binary ", "!!set ", "---\n", "...\n", "'", '"', "|", ">", "#",
           "%YAML 1.1\n", "@", "`", "\t", "\n", "\n  ", "\n    ", " ", "\udcff", "ä", "\\", "0x_", "2024-13-01"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_TOKENS), max_size=40).map("".join))
def test_any_yaml_in_a_mapping_file_is_read_or_refused_at_a_line(tmp_path, text):
    plan = tmp_path / "plan.xlsx"
    if not plan.exists():
        build_plan(plan, [{"id": "A", "namn": "Skola", "tillgangsklass": "fastighet", "driftsattning": 2027,
                           "utgifter": {2026: 10}}])
    mapping = tmp_path / "m.yaml"
    mapping.write_bytes(text.encode("utf-8", "surrogateescape"))
    result = CliRunner().invoke(main, ["berakna", str(plan), "--mapping", str(mapping), "--format", "csv"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Internt fel" not in result.output and "Traceback" not in result.output, result.output
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        first = next(line for line in result.output.splitlines() if ": fel: " in line)
        place = first.split(": fel: ")[0]
        assert place.startswith((f"{mapping}:", f"{plan}", plan.name)), first
        if place.startswith(str(mapping)):
            assert place[len(str(mapping)) + 1:].isdigit(), first


# --- numbers YAML 1.1 reads differently from a person, and repeated keys --------------------------------------------

@pytest.mark.parametrize("written, read", [("010", "8"), ("-012", "-10"), ("+010", "8"), ("1_0", "10"),
                                           ("1:30", "90"), ("0x1F", "31"), ("0b11", "3"), ("012.5", "12,5"),
                                           ("1.0e-400", "0")])
def test_a_number_yaml_reads_otherwise_than_written_is_refused_at_its_line(tmp_path, written, read):
    """`varde: 010` is octal 8 to YAML 1.1, `1_0` is 10, `1:30` is 90: refused at the line, saying what YAML reads
    and what to write, never silently read."""
    models = shutil.copytree(MODELS_DIR, tmp_path / "models")
    broken = models / "ranta" / "internranta.yaml"
    _write(broken, GOOD_MODEL.replace("varde: 0.025", f"varde: {written}", 1))
    line = GOOD_MODEL.split("varde: 0.025")[0].count("\n") + 1
    outcome = run_bounded(["berakna", "--models", models], name=f"yaml-models-tal-{written}")
    assert_refused(outcome, f"{broken}:{line}", 2, (f'"{written}"', f"läses i YAML som {read}", "skriv"))


def test_a_life_with_a_leading_zero_in_models_is_refused_not_read_as_octal(tmp_path):
    models = shutil.copytree(MODELS_DIR, tmp_path / "models")
    path = next(p for p in sorted((models / "tillgangsklasser").glob("*.yaml"))
                if "nyttjandeperiod: 25" in p.read_text(encoding="utf-8"))
    text = path.read_text(encoding="utf-8")
    line = text.split("nyttjandeperiod: 25")[0].count("\n") + 1
    path.write_text(text.replace("nyttjandeperiod: 25", "nyttjandeperiod: 010", 1), encoding="utf-8")
    with pytest.raises(Exception) as caught:
        load_models(models)
    first = caught.value.findings[0]
    assert first.location == f"{path}:{line}" and "läses i YAML som 8" in first.message, first


@pytest.mark.parametrize("plain", ["0", "0.5", "-0.5", "10", "1.5e+3", '"010"', "'1_0'"])
def test_ordinary_numbers_and_quoted_texts_are_not_refused(tmp_path, plain):
    from invest.base.yaml_nodes import read_mapping
    path = tmp_path / "m.yaml"
    path.write_text(f"kolumner:\n  Projekt: {plain}\n", encoding="utf-8")
    assert read_mapping(path, "mappningsfilen", "kolumner")


@pytest.mark.parametrize("text, line, first", [
    ("kolumner:\n  Projekt: id\n  Projekt: namn\n", 3, 2),
    ("enhet: tkr\nkolumner:\n  Projekt: id\nenhet: mnkr\n", 4, 1),
    ("kolumner: {Projekt: id, Projekt: namn}\n", 1, 1),
])
def test_a_repeated_key_in_a_mapping_file_is_refused_at_the_second(tmp_path, text, line, first):
    """YAML keeps the last of two equal keys silently; here the second is refused, naming the first's line."""
    mapping = tmp_path / "kolumner.yaml"
    _write(mapping, text)
    plan = build_plan(tmp_path / "plan.xlsx", [])
    outcome = run_bounded(["importera", plan, "-o", tmp_path / "ut", "--mapping", mapping], name="yaml-dubbel-nyckel")
    assert_refused(outcome, f"{mapping}:{line}", 2, ("två gånger", f"rad {first}"))
    assert not (tmp_path / "ut").exists()


def test_a_repeated_date_in_a_models_file_is_refused_at_the_second(tmp_path):
    models = shutil.copytree(MODELS_DIR, tmp_path / "models")
    broken = models / "ranta" / "internranta.yaml"
    entry = GOOD_MODEL.split("varden:\n", 1)[1]
    _write(broken, GOOD_MODEL + entry)
    line = GOOD_MODEL.count("\n") + 1
    outcome = run_bounded(["berakna", "--models", models], name="yaml-dubbelt-datum")
    assert_refused(outcome, f"{broken}:{line}", 2, ("två gånger", "rad 4"))
