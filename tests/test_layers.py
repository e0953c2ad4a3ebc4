"""The layer rule: a module imports only from its own layer or the layers below it
(base → params → plan → excel → engine → analyses → outputs → pipeline → cli)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "invest"
LAYERS = ["base", "params", "plan", "excel", "engine", "analyses", "outputs", "pipeline", "cli"]


def layer_of(module: str) -> str:
    """`invest.engine.region_model` -> `engine`; `invest.pipeline` -> `pipeline`."""
    parts = module.split(".")
    assert parts[0] == "invest" and len(parts) > 1, module
    return parts[1]


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(rel.parts)
        found[name.removesuffix(".__init__")] = path
    return found


def imports(name: str, path: Path) -> list[tuple[int, str]]:
    """Every `invest.…` module imported by module `name` in `path`, with its line (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("invest")]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if base == "invest":  # `from invest import pipeline`: the names are modules
                out += [(node.lineno, f"invest.{a.name}") for a in node.names]
            elif base.startswith("invest."):
                out.append((node.lineno, base))
    return out


def upward_imports(files: dict[str, Path]) -> list[str]:
    found = []
    for name, path in files.items():
        if name == "invest":
            continue
        own = LAYERS.index(layer_of(name))
        for line, target in imports(name, path):
            if target != "invest" and LAYERS.index(layer_of(target)) > own:
                found.append(f"{path.name}:{line}: {name} ({layer_of(name)}) imports "
                             f"{target} ({layer_of(target)})")
    return found


def test_every_module_belongs_to_a_known_layer_with_a_docstring():
    for name, path in modules().items():
        if name != "invest":
            assert layer_of(name) in LAYERS, f"{name}: not in a layer {LAYERS}"
        assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), f"{path}: no module docstring"


def test_no_module_imports_from_a_layer_above_it():
    assert upward_imports(modules()) == []


def test_the_rule_catches_an_upward_import(tmp_path):
    """The checker itself: an engine module importing an output (absolutely or relatively) is reported, an import
    from below is not."""
    probe = tmp_path / "probe.py"
    probe.write_text('"""probe"""\nfrom invest.outputs.chart import delay_chart\nfrom ..analyses import delay\n'
                     'from invest.plan.records import Plan\nfrom . import object_grid\n', encoding="utf-8")
    found = upward_imports({"invest.engine.probe": probe})
    assert [f.split(":")[1] for f in found] == ["2", "3"]
    assert "invest.outputs.chart (outputs)" in found[0] and "invest.analyses (analyses)" in found[1]


@pytest.mark.parametrize("layer", LAYERS[:7])
def test_each_layer_is_a_subpackage(layer):
    assert (PACKAGE / layer / "__init__.py").exists()
