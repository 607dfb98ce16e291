"""The package's layers: imports point only downward, and the torch-free layers stay torch-free.

The layers follow the data flow (README, "Layout"): the torch-free core, files, the model registry and networks, the
engine, projects and segmentation, the app's state and test helpers, research, the command line and Ray, the web UI.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Lowest first; a module may import its own layer and the layers below it, never one above.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("interp.errors", "interp.limits"),
    ("interp.core",),
    ("interp.io",),
    ("interp.models",),
    ("interp.engine",),
    ("interp.project", "interp.clip", "sam_utils"),
    ("interp.app", "interp.testing"),
    ("interp.research",),
    ("interp.cli", "interp.distributed", "interp.__main__"),
    ("ui", "app"),
)

#: Modules that must import without torch (checked in a fresh interpreter).
TORCH_FREE = (
    "interp.core.curves",
    "interp.core.keyframes",
    "interp.core.distance_maps",
    "interp.core.forward_warp",
    "interp.core.layered",
    "interp.core.composite",
    "interp.core.images",
    "interp.io.images",
    "interp.io.encode",
    "interp.io.decode",
    "interp.models.registry",
    "interp.models.paths",
    "interp.models.fetch",
    "interp.project.schema",
    "interp.project.inputs",
    "interp.clip.frames",
    "interp.clip.propagate",
    "interp.clip.tracker",
    "interp.app.session",
    "sam_utils.prompts",
    "sam_utils.masks",
    "sam_utils.segmenter",  # SAM (and torch) load when a SAM segmenter is made
    "interp.cli.weights",
)


def layer_of(module: str) -> int:
    """Index in ``LAYERS`` of a project module (``-1`` for third-party modules); ``interp`` itself is the base."""
    if module == "interp":
        return 0
    for index, prefixes in enumerate(LAYERS):
        if any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes):
            return index
    return -1


def module_name(path: Path) -> str:
    """``interp/core/curves.py`` -> ``interp.core.curves`` (packages by their folder)."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_files() -> list[Path]:
    """Every source file of the package, the segmenter, the UI and the app's entry point."""
    files = [*ROOT.joinpath("interp").rglob("*.py"), *ROOT.joinpath("sam_utils").rglob("*.py")]
    return [*files, *ROOT.joinpath("ui").rglob("*.py"), ROOT / "app.py"]


def imported(path: Path) -> set[str]:
    """Project modules a file imports anywhere in it (module level or inside functions)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {name for name in names if layer_of(name) >= 0}


def test_every_module_has_a_layer() -> None:
    assert [module_name(p) for p in project_files() if layer_of(module_name(p)) < 0] == []


def test_imports_point_only_downward() -> None:
    upward = [
        f"{module_name(path)} (layer {layer_of(module_name(path))}) imports {name} (layer {layer_of(name)})"
        for path in project_files()
        for name in sorted(imported(path))
        if layer_of(name) > layer_of(module_name(path))
    ]
    assert upward == []


def test_the_layer_check_sees_an_upward_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from interp.engine.interpolator import Interpolator\n")
    assert "interp.engine.interpolator" in imported(bad)
    assert layer_of("interp.engine.interpolator") > layer_of("interp.core.curves")


def loaded_after(code: str) -> set[str]:
    """Modules in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    script = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    return set(result.stdout.split())


@pytest.mark.parametrize("module", TORCH_FREE)
def test_torch_free_modules_import_without_torch(module: str) -> None:
    loaded = loaded_after(f"import {module}")
    assert module in loaded
    assert "torch" not in loaded


def cli_help(*command: str) -> str:
    """Code that prints ``python -m interp [command] --help`` into a discarded buffer."""
    return (
        "import contextlib, io\nfrom interp.cli import main\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main([*{list(command)!r}, '--help'])"
    )


def test_cli_help_imports_no_model_code() -> None:
    loaded = loaded_after(cli_help())
    assert "interp.cli" in loaded
    assert "torch" not in loaded
    assert sorted(m for m in loaded if m.startswith(("interp.models", "interp.engine", "sam_utils"))) == []


def test_a_command_loads_its_module_only_when_chosen() -> None:
    loaded = loaded_after(cli_help("image"))
    assert "interp.cli.image" in loaded
    assert "interp.cli.train" not in loaded


def import_graph() -> dict[str, set[str]]:
    """Each project module and the project modules it imports (anywhere in it), packages by their ``__init__``."""
    files = project_files()
    graph: dict[str, set[str]] = {module_name(path): set() for path in files}
    for path in files:
        source = module_name(path)
        for name in imported(path):
            while name and name not in graph:
                name = name.rpartition(".")[0]
            if name and name != source:
                graph[source].add(name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or through others (Tarjan's strongly connected
    components of more than one module)."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        order[module] = low[module] = len(order)
        stack.append(module)
        for target in graph[module]:
            if target not in order:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], order[target])
        if low[module] == order[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in graph:
        if module not in order:
            visit(module)
    return found


def test_no_modules_import_each_other():
    """A circle (the Ray render job once imported its request from the render command, which imports the Ray entry)
    makes neither side usable alone; imports within a layer must not loop either."""
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_planted_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
