"""The package's shape: one `quotetrace` namespace, imports that only point down the layers, no
cycles, and a wheel that installs nothing else at the top level of site-packages."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, SEEDS

PACKAGE = "quotetrace"
SUBPACKAGES = ("schemas", "encoder", "corpus", "align", "report")  # top-level folders, in layer order
# Bottom to top: an import may point to its own layer or one below, never up.
LAYERS = {
    "quotetrace.errors": 0, "quotetrace.version": 0, "quotetrace.files": 0, "quotetrace.interrupts": 0,
    "quotetrace.schemas": 0,
    "quotetrace.encoder": 1, "quotetrace.corpus": 2, "quotetrace.align": 3, "quotetrace.report": 4,
    "quotetrace.pipeline": 5, "quotetrace.cli": 5, "quotetrace.__main__": 5, "quotetrace": 5,
}  # fmt: skip


def package_modules() -> dict[str, Path]:
    """Every module of the package by dotted name, as the wheel installs it."""
    modules = {
        PACKAGE if path.stem == "__init__" else f"{PACKAGE}.{path.stem}": path for path in sorted(REPO.glob("*.py"))
    }
    for folder in SUBPACKAGES:
        for path in sorted((REPO / folder).rglob("*.py")):
            parts = [PACKAGE, *path.relative_to(REPO).with_suffix("").parts]
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def imported(module: str, path: Path, known: set[str]) -> Iterator[tuple[str, int]]:
    """(module imported, line) for every import in ``path``, those inside functions and
    TYPE_CHECKING blocks included; ``from X import name`` names the submodule when there is one."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                anchor = module.split(".")[: len(module.split(".")) - node.level + is_package]
                base = ".".join(anchor + ([node.module] if node.module else []))
            for alias in node.names:
                yield (f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base), node.lineno


def layer(module: str) -> int:
    """The layer of ``module``: that of its longest prefix in LAYERS."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in LAYERS:
            return LAYERS[".".join(parts[:end])]
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS")


def import_graph() -> tuple[dict[str, set[str]], list[str]]:
    """Edges between the package's modules, and imports of our folders by their bare names."""
    modules = package_modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    bare = []
    for name, path in modules.items():
        for target, line in imported(name, path, set(modules)):
            if target in modules:
                graph[name].add(target)
            elif target.split(".")[0] in (*SUBPACKAGES, "errors", "version", "files", "interrupts", "pipeline", "cli"):
                bare.append(f"{path.relative_to(REPO)}:{line} imports {target}")
    return graph, bare


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module, or a module importing itself (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_cycles():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"a"}}) == [["a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_graph_has_no_cycle():
    graph, _ = import_graph()
    assert len(graph) > 40 and graph["quotetrace.corpus.attribution.quotes"], "the graph was not read"
    assert cycles(graph) == []


def test_imports_only_point_down_the_layers():
    graph, _ = import_graph()
    upward = [f"{a} (layer {layer(a)}) imports {b} (layer {layer(b)})" for a in graph for b in graph[a]
              if layer(b) > layer(a)]  # fmt: skip
    assert upward == []
    assert not any(b.startswith("quotetrace.align") for a in graph if a.startswith("quotetrace.corpus")
                   for b in graph[a])  # fmt: skip
    # the pipeline chains build → align; align itself only reads snapshots
    assert not any(b in ("quotetrace.corpus.build", "quotetrace.corpus") for a in graph
                   if a.startswith("quotetrace.align") for b in graph[a])  # fmt: skip


def test_the_package_imports_its_parts_by_their_full_names():
    """A bare `import corpus` would load a user's own corpus.py instead of ours."""
    _, bare = import_graph()
    assert bare == []


def test_the_facade_offers_what_the_readme_shows():
    import quotetrace

    offered = (
        "build", "align_snapshot", "open_snapshot", "cross_outlet_duplicates", "write_report",
        "BuildOptions", "AlignOptions", "ReportOptions", "BuildResult", "AlignResult", "QuotetraceError",
    )  # fmt: skip
    for name in offered:
        assert name in quotetrace.__all__ and getattr(quotetrace, name) is not None, name
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    used = {word.split("(")[0] for word in readme.split("quotetrace.")[1:] if "(" in word.split()[0]}
    assert used and used <= set(quotetrace.__all__), used - set(quotetrace.__all__)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        check=True, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    (path,) = out.glob("quotetrace-*.whl")
    return path


@pytest.mark.slow
def test_the_wheel_installs_only_the_quotetrace_package(wheel: Path):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert {top for top in tops if not top.endswith(".dist-info")} == {PACKAGE}
    for needed in ("quotetrace/__init__.py", "quotetrace/corpus/attribution/quotes.py",
                   "quotetrace/corpus/data/cues.json",
                   "quotetrace/report/templates/report.html.j2", "quotetrace/encoder/e5_folder.py",
                   "quotetrace/corpus/attribution/tagger.safetensors",
                   "quotetrace/schemas/__init__.py", "quotetrace/py.typed"):  # fmt: skip
        assert needed in names, needed
    assert not [name for name in names if name.startswith(("quotetrace/tests/", "quotetrace/benchmarks/"))]
    entry_points = next(name for name in names if name.endswith("entry_points.txt"))
    assert "quotetrace = quotetrace.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


@pytest.fixture
def shadowing_folder(tmp_path: Path) -> Path:
    """A user's folder holding modules named like our parts, each failing loudly when imported."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name in ("corpus", "align", "report", "schemas", "encoder", "errors", "pipeline", "cli"):
        (folder / f"{name}.py").write_text(f'raise ImportError("the user\'s own {name}.py was imported")\n')
    return folder


def _user_environment(folder: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))}


def test_a_users_own_modules_do_not_shadow_quotetrace(shadowing_folder: Path):
    script = shadowing_folder / "build_seeds.py"
    script.write_text(
        "import quotetrace\n"
        "if __name__ == '__main__':\n"
        f"    built, aligned = quotetrace.build([{str(SEEDS)!r}], 'out', encoder=quotetrace.HashEncoder())\n"
        "    print(built.articles, aligned.quotes)\n"
    )
    environment = _user_environment(shadowing_folder)
    result = subprocess.run([sys.executable, str(script)], cwd=shadowing_folder, env=environment,
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr
    articles, quotes = map(int, result.stdout.split())
    assert articles == len(list(SEEDS.iterdir())) and quotes > 0
    cli = Path(sys.executable).with_name("quotetrace")
    command = [str(cli), "build", str(SEEDS), "--out", "from-cli", "--no-align", "-q"]
    result = subprocess.run(command, cwd=shadowing_folder, env=environment,
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (shadowing_folder / "from-cli" / "articles.parquet").exists()
