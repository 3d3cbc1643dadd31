"""The package's imports point one way (read from the source with ``ast``, never by importing it).

The rules are those of ``shared/architecture.md``: load -> model -> render -> engine -> releases
-> site, and events -> collector -> store -> report, a rule per stage. A stage is a package of
``generator/`` (``generator.store.exams`` is in ``store``); a module at the package root is its own
stage (the shared formats ``events``, ``identity`` and ``csvfile`` are leaves: they import only other
root modules). ``ALLOWED`` names arrows that may break a rule
for a while (each one a debt to pay back; empty since the re-plumbing of issue 13)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

PACKAGE = Path(__file__).resolve().parent.parent / "generator"

ALLOWED: set[tuple[str, str]] = set()
"""Known (importing module, imported module) pairs that break a rule, to be removed one by one."""

ALLOWED_SQL: set[str] = set()
"""Known modules outside the store that still hold SQL text."""

SQL = re.compile(r"^\s*(SELECT\s.*\bFROM\b|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX)|ALTER\s+TABLE)")
ENGINES = {"mkdocs", "properdocs", "zensical"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, ast.Module]:
    return {module_name(path): ast.parse(path.read_text(encoding="utf-8"), str(path))
            for path in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str, tree: ast.Module, known: set[str], is_package: bool) -> set[str]:
    """Project modules ``name`` imports anywhere in its text (top level or inside functions)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = [f"{module}.{alias.name}" if f"{module}.{alias.name}" in known else module
                       for alias in node.names]
        for target in targets:
            if target == "generator" or target.startswith("generator."):
                while target not in known and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target != name and target in known:
                    found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    trees = modules()
    known = set(trees)
    packages = {module_name(path) for path in PACKAGE.rglob("__init__.py")}
    return {name: imported(name, tree, known, name in packages) for name, tree in trees.items()}


def stage(module: str) -> str:
    """``generator.render.site`` -> ``render``; a module at the package root is its own stage."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "generator"


def arrows(rule) -> list[str]:
    return sorted(f"{source} -> {target}" for source, targets in graph().items() for target in targets
                  if rule(source, target) and (source, target) not in ALLOWED)


def cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``edges`` (as the list of its nodes), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def allowed_graph() -> dict[str, set[str]]:
    return {source: {target for target in targets if (source, target) not in ALLOWED}
            for source, targets in graph().items()}


def test_no_module_imports_in_a_circle():
    assert cycle(allowed_graph()) is None


def test_no_stage_imports_in_a_circle():
    stages: dict[str, set[str]] = {}
    for source, targets in allowed_graph().items():
        for target in targets:
            if stage(source) != stage(target) and "generator" not in (stage(source), stage(target)):
                stages.setdefault(stage(source), set()).add(stage(target))
    assert cycle(stages) is None


def test_model_imports_nothing_of_the_project():
    """Nothing but the project's layout, which imports nothing itself (the default paths of the settings)."""
    assert arrows(lambda source, target: stage(source) == "model" and stage(target) != "model"
                  and target != "generator.layout") == []


def test_the_layout_imports_nothing_of_the_project():
    assert graph()["generator.layout"] == set()


RENDER_LEAVES = {"generator.errors", "generator.template_folder", "generator.jinja_environment"}
"""Leaf modules render may use besides ``model``: errors, the vendor's template folder loader and the one
sandboxed Jinja set-up (shared with the e-mails of ``notifications`` and the worklists' HTML)."""


def test_render_imports_only_model():
    assert arrows(lambda source, target: stage(source) == "render"
                  and stage(target) not in ("render", "model") and target not in RENDER_LEAVES) == []


def test_load_only_reads():
    forbidden = {"transcripts", "render", "pipeline", "releases", "engine", "collector", "commands", "cli"}
    assert arrows(lambda source, target: stage(source) == "load" and stage(target) in forbidden) == []


def test_collector_store_and_report_never_import_the_site_build():
    forbidden = {"render", "releases", "load", "engine"}
    assert arrows(lambda source, target: stage(source) in ("collector", "store", "report")
                  and stage(target) in forbidden) == []


def test_only_the_engine_module_knows_the_engine_command_line():
    offenders = []
    for name, tree in modules().items():
        if name == "generator.engine" or (name, "generator.engine") in ALLOWED:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "generator.engine":
                offenders += [f"{name} imports {alias.name}" for alias in node.names
                              if alias.name in ("engine_command", "engine_environment")]
            if isinstance(node, ast.Call):
                words = {sub.value for sub in ast.walk(node) if isinstance(sub, ast.Constant)}
                callee = ast.unparse(node.func)
                if words & ENGINES and re.search(r"subprocess|Popen|create_subprocess|exec", callee):
                    offenders.append(f"{name} runs {callee}")
    assert offenders == []


def is_store(module: str) -> bool:
    return stage(module) == "store"


STORE_LEAVES = {"generator.errors", "generator.layout", "generator.storable", "generator.certification.certificates"}
"""What the store imports besides itself and ``model``: errors, the project's paths, the check of storable
text, and the certificate's row type (a plain dataclass)."""


def test_the_store_imports_only_model_and_leaves():
    assert arrows(lambda source, target: stage(source) == "store"
                  and stage(target) not in ("store", "model") and target not in STORE_LEAVES) == []


def test_the_report_reads_the_store():
    assert any(stage(target) == "store" for source, targets in graph().items() if stage(source) == "report"
               for target in targets)


SHARED_LEAVES = {"generator.events", "generator.identity", "generator.csvfile"}
"""The formats both flows share, defined once: the event format and content index (the site build writes
it, the collector reads it), the link tokens and roster of reps, the CSV writer."""


def test_the_shared_formats_import_only_root_modules():
    assert arrows(lambda source, target: source in SHARED_LEAVES and target.count(".") > 1) == []


SITE_BUILD = {"load", "transcripts", "render", "engine", "releases"}
TOP = {"commands", "cli", "__main__"}
NEVER_IMPORTS: dict[str, set[str]] = {
    "store": {"report", "collector", "notifications", *SITE_BUILD, *TOP},
    "report": {"collector", "notifications", *SITE_BUILD, *TOP},
    "collector": {"report", *SITE_BUILD, *TOP},
    "notifications": {"collector", *SITE_BUILD, *TOP},
    "certification": {"collector", "notifications", "store", "report", "transcripts", "render", "engine", "releases", *TOP},
    "transcripts": {"render", "engine", "releases", "collector", "store", "report", "certification",
                    "notifications", *TOP},
    "engine": {"load", "transcripts", "releases", "collector", "store", "report", "certification",
               "notifications", *TOP},
    "releases": {"collector", "notifications", *TOP},
    "pipeline": {"engine", "releases", "collector", "store", "report", "notifications", *TOP},
}
"""Per stage (see :func:`stage`), the stages it never imports: those after it in its flow, the other
flow, and the command line on top of both. ``model``, ``render`` and ``load`` have rules of their own."""


@pytest.mark.parametrize("source_stage", sorted(NEVER_IMPORTS))
def test_each_stage_imports_only_what_comes_before_it(source_stage: str):
    forbidden = NEVER_IMPORTS[source_stage]
    assert arrows(lambda source, target: stage(source) == source_stage and stage(target) in forbidden) == []


def test_only_the_command_line_imports_the_commands():
    assert arrows(lambda source, target: stage(target) == "commands" and stage(source) not in TOP) == []


def test_a_table_about_reps_is_emptied_by_its_features_forget():
    """Every table a store feature's migrations create with a ``rep`` column is in that feature's
    ``forgotten_tables``, and every table belongs to one feature: read by running ``MIGRATIONS`` on an
    empty SQLite database (the one test here that imports the package)."""
    import sqlite3

    from generator.store.database import FEATURES, MIGRATIONS, SqliteStore

    database = sqlite3.connect(":memory:")
    for script in MIGRATIONS:
        database.executescript(script.format(serial=SqliteStore.serial, without_rowid=SqliteStore.without_rowid))
    tables = [row[0] for row in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    about_reps = {table for table in tables
                  if "rep" in {column[1] for column in database.execute(f"PRAGMA table_info({table})")}}
    database.close()
    assert about_reps, "no table with a rep column: the migrations were not read"
    owners: dict[str, list[str]] = {}
    for feature in FEATURES:
        for table in feature.tables:
            owners.setdefault(table, []).append(feature.name)
    assert {table: names for table, names in owners.items() if len(names) > 1} == {}  # one feature declares a table
    assert sorted(set(tables) - set(owners)) == []  # and every table is a feature's
    not_forgotten = [f"{feature.name}: {table}" for feature in FEATURES for table in feature.tables
                     if table in about_reps and table not in feature.forgotten_tables]
    assert not_forgotten == []
    assert [f"{feature.name}: {table}" for feature in FEATURES for table in feature.forgotten_tables
            if table not in feature.tables or table not in tables] == []  # forget names only its own tables


def test_only_the_store_holds_sql():
    holders = set()
    for name, tree in modules().items():
        if is_store(name) or name in ALLOWED_SQL:
            continue
        for node in ast.walk(tree):
            texts = [node.value] if isinstance(node, ast.Constant) and isinstance(node.value, str) else []
            if isinstance(node, ast.JoinedStr):
                texts = ["".join(part.value for part in node.values if isinstance(part, ast.Constant))]
            if any(SQL.search(text) for text in texts):
                holders.add(name)
    assert sorted(holders) == []


def test_the_check_sees_a_broken_rule():
    """The checker itself works: a circle and a backward arrow are found."""
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None
    tree = ast.parse("from generator.render.site import x\nfrom . import strings\n")
    known = {"generator.render.site", "generator.render.strings", "generator.render", "generator.model.x"}
    assert imported("generator.model.x", tree, known, False) == {"generator.render.site"}
    assert SQL.search("SELECT id FROM t WHERE id = ?") and not SQL.search("Select the release to build")
    assert [stage(name) for name in ("generator.store.exams", "generator.report.output",
                                     "generator.report.compliance", "generator.reporter")] == [
        "store", "report", "report", "reporter"]
    assert is_store("generator.store.core") and not is_store("generator.storable")
