"""The load's faster ways give what the slower ones they replace gave, on random and hostile input: the YAML
reader's loop handling plain scalars itself (against the same reader sending every event through its
general methods), real paths resolved a folder at a time (against ``os.path.realpath``), and content
folders listed with ``os.scandir`` (against the walk with ``Path`` it replaces)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml.events as ev
from hypothesis import given, settings, strategies as st

from generator.errors import ContentError
from generator.files import RealPaths, check_published, project_files, unpublishable
from generator.load import yaml_source
from generator.load.yaml_source import Number, parse_yaml

pytestmark = pytest.mark.unit


class _EveryEventThroughMethods(yaml_source._Builder):
    """The reader as it was before its loop handled plain scalars itself: each event goes to
    :meth:`read_key`, :meth:`read_value` or :meth:`close`."""

    def build(self) -> yaml_source.SourceDocument:
        get_event, stack = self.parser.get_event, self.stack
        while not isinstance(event := get_event(), ev.DocumentEndEvent):
            parent = stack[-1] if stack else None
            if isinstance(event, (ev.MappingEndEvent, ev.SequenceEndEvent)):
                self.close(event)
            elif parent is not None and parent.key is None and not parent.skip_key and isinstance(parent.value, dict):
                self.read_key(parent, event)
            else:
                self.read_value(parent, event)
        return self.document


def _typed(value: Any) -> Any:
    """``value`` with the type of every scalar shown (``Number("1") == "1"``, but they are not the same)."""
    if isinstance(value, dict):
        return ("dict", [(_typed(key), _typed(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(item) for item in value])
    return (type(value).__name__, value)


def _read(text: str, builder: type | None = None) -> Any:
    with pytest.MonkeyPatch.context() as patch:
        if builder is not None:
            patch.setattr(yaml_source, "_Builder", builder)
        documents, errors = parse_yaml("content/x.yml", text, first_line=3)
    return ([(_typed(document.data), document.values, document.keys) for document in documents],
            [(error.path, error.line, error.col, error.key_path, error.message) for error in errors])


SCALARS = ["a", "text with spaces", "", "~", "null", "NULL", "true", "False", "yes", "No", "010", "0x1F", "0o17", "1e3",
           "-.5", ".inf", ".NaN", "9:30", "<<", "'<<'", "''", "'q'", '"d"', '"~"', "'true'", "!!str 010", "!!int x",
           "!!int 7", "!!float 1.5", "!!bool yes", "!!bool true", "!!null ~", "!!null x", "! 5", "!foo x",
           "!!python/name:os.system", "&a v", "&a 1", "*a", "&b [1, 2]", "*b", "*c", "&d {x: 1}", "*d", "!!map {}", "!!seq []",
           "|\n  block", "? complex"]
"""Plain, quoted and tagged scalars, anchors and aliases, with the keys and values YAML treats specially."""


def _flow(node: Any) -> str:
    if isinstance(node, list):
        return "[" + ", ".join(_flow(item) for item in node) + "]"
    if isinstance(node, tuple):
        return "{" + ", ".join(f"{_flow(key)}: {_flow(value)}" for key, value in node) + "}"
    return node.replace("\n", " ")


FLOW = st.recursive(
    st.sampled_from(SCALARS),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.lists(st.tuples(st.sampled_from(SCALARS), inner), max_size=4).map(tuple)),
    max_leaves=12,
)
"""Nested lists and mappings, written as flow YAML (keys repeat, merge keys and aliases come up)."""


def _block(entries: list[tuple[str, Any]], indent: str = "") -> str:
    lines = []
    for key, value in entries:
        if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
            lines.append(f"{indent}{key}:\n" + "".join(f"{indent}  - {item}\n" for item in value))
        else:
            lines.append(f"{indent}{key}: {_flow(value)}\n")
    return "".join(lines)


@settings(max_examples=700, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from(SCALARS), FLOW), max_size=6), min_size=1, max_size=3))
def test_reader_loop_reads_as_the_general_methods_do(documents: list[list[tuple[str, Any]]]) -> None:
    """Documents in block style (lists of scalars as ``- item`` lines) and flow style: the same data (types
    included), positions and errors, stopped or not."""
    text = "---\n".join(_block(entries) for entries in documents)
    assert _read(text) == _read(text, _EveryEventThroughMethods)


@pytest.mark.parametrize("text", [
    "a: 1\na: 2\nb: [x, y]\n", "<<: {a: 1}\n", "~: x\n'': y\n\"\": z\n", "? [a]\n: b\nc: d\n", "a: &x [1, *x]\n",
    "a: &x 1\nb: *x\nc: &x 2\nd: *x\n", "- a\n- ~\n- - b\n  - c: d\n", "plain\n", "a: !!int x\nb: !!str 1\nc: !tag v\n",
    "a: [" * 120 + "]" * 120 + "\n",
])
def test_reader_loop_reads_hostile_documents_as_the_general_methods_do(text: str) -> None:
    assert _read(text) == _read(text, _EveryEventThroughMethods)


def test_reader_loop_refuses_the_billion_laughs_as_before() -> None:
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f'{name}: &{name} [{",".join("*" + previous for _ in range(9))}]\n' for previous, name in zip("abcdefgh", "bcdefghi"))
    assert _read(bomb) == _read(bomb, _EveryEventThroughMethods)
    assert _read(bomb)[1] and "aliases" in _read(bomb)[1][0][4]


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with links of every kind: to a file and a folder inside, out of the project, into
    private/, .git/ and the cache, chained, looping, broken, and a folder reached through ``..``."""
    base = tmp_path_factory.mktemp("links")
    root, outside = base / "project", base / "outside"
    for folder in (root / "content" / "sub", root / "private", root / ".git", root / ".partnerkit-cache", outside):
        folder.mkdir(parents=True)
    for name in ("content/a.yml", "content/sub/b.yml", "private/secret.yml", ".git/g.yml", ".partnerkit-cache/c.yml"):
        (root / name).write_text("x: 1\n")
    (outside / "c.yml").write_text("x: 1\n")
    links = {
        "content/to_a.yml": "a.yml", "content/to_sub": "sub", "content/out.yml": "../../outside/c.yml",
        "content/out_dir": str(outside), "content/secret.yml": "../private/secret.yml", "content/chain.yml": "to_a.yml",
        "content/loop1.yml": "loop2.yml", "content/loop2.yml": "loop1.yml", "content/broken.yml": "missing.yml",
        "content/sub/up": "..", "content/private_dir": "../private", "content/git.yml": "../.git/g.yml",
        "content/cache_dir": "../.partnerkit-cache", "content/root": "..",
    }
    for name, target in links.items():
        os.symlink(target, root / name)
    return root


COMPONENTS = ["content", "sub", "to_sub", "out_dir", "up", "private_dir", "a.yml", "b.yml", "to_a.yml", "out.yml",
              "secret.yml", "chain.yml", "loop1.yml", "broken.yml", "missing.yml", "git.yml", "cache_dir", "c.yml",
              "root", ".git", "private", "..", ".", ""]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(st.sampled_from(COMPONENTS), max_size=5), min_size=1, max_size=6))
def test_real_paths_are_os_realpath(tree: Path, paths: list[list[str]]) -> None:
    """Several paths through one resolver (its folders remembered): each as ``os.path.realpath`` gives it,
    and refused or published as the per-file check decides."""
    real_paths = RealPaths(tree)
    for parts in paths:
        path = tree.joinpath(*parts) if parts else tree
        assert real_paths.realpath(path) == os.path.realpath(path)
        assert real_paths.realpath(str(path)) == os.path.realpath(path)
        assert unpublishable(path, tree, real_paths) == unpublishable(path, tree) == _unpublishable_with_path(path, tree)


def _unpublishable_with_path(path: Path, root: Path) -> str | None:
    """How ``unpublishable`` told every file before: its real path made relative to the project's with ``Path``."""
    real = Path(os.path.realpath(path))
    try:
        inside = real.relative_to(os.path.realpath(root))
    except ValueError:
        return f"links outside the project (to {real}): only files inside the project are published"
    top = inside.parts[0] if inside.parts else ""
    if top == "private":
        return f"links into private/ ({inside.as_posix()}): private files are never published"
    if top in (".git", ".partnerkit-cache"):
        return f"links into {top}/ ({inside.as_posix()}): files there are never published"
    return None


def test_real_paths_of_relative_paths(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree / "content")
    real_paths = RealPaths(Path(".."))
    assert real_paths.root == os.path.realpath(tree)
    for name in ("a.yml", "to_a.yml", "sub/up/a.yml", "out.yml", "../private/secret.yml", "x", ".", ".."):
        assert real_paths.realpath(name) == os.path.realpath(name)
        assert real_paths.realpath(Path(name)) == os.path.realpath(name)


def test_numbers_stay_numbers_in_both_loops() -> None:
    assert _read("a: 010\nb: [1, '2']\n")[0][0][0] == ("dict", [(("str", "a"), ("Number", Number("010"))), (
        ("str", "b"), ("list", [("Number", "1"), ("str", "2")]))])


def _project_files_with_path(folder: Path, root: Path, suffixes: list[str]) -> tuple[list[Path], list[ContentError]]:
    """How ``project_files`` walked before: ``Path.iterdir`` and a ``Path`` check per entry."""
    wanted, found, errors, seen = set(suffixes), [], [], set()

    def walk(directory: Path) -> None:
        real = os.path.realpath(directory)
        if real in seen:
            return
        seen.add(real)
        for entry in sorted(directory.iterdir(), key=lambda path: path.name):
            if entry.name.startswith(".") or (entry.suffix.lower() not in wanted and not entry.is_dir()):
                continue
            error = check_published(entry, root) if entry.is_symlink() else None
            if error:
                errors.append(error)
            elif entry.is_dir():
                walk(entry)
            elif entry.is_file() or not entry.exists():
                found.append(entry)

    if folder.is_dir():
        error = check_published(folder, root) if folder.is_symlink() else None
        if error:
            return [], [error]
        walk(folder)
    return sorted(found, key=lambda path: path.relative_to(folder).as_posix()), errors


@pytest.fixture(scope="module")
def listed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A content folder with every kind of entry: plain, upper-case, doubled and trailing-dot suffixes, hidden
    files and folders, a folder named like a file, a FIFO, links to files, to folders (one twice), out
    of the project, into private/, looping and broken."""
    root = tmp_path_factory.mktemp("listed") / "project"
    content = root / "content"
    for folder in ("content/sub/deeper", "content/d.yml", "content/.hidden", "content/b", "private", "../outside"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for name in ("a.yml", "B.YML", "c.yaml", "x.yml.", "x.", "yml", ".h.yml", "a..yml", "n.vtt", "sub/s.yml", "b/z.yml",
                 "sub/deeper/t.YAML", "d.yml/inside.yml", ".hidden/h.yml", "sub/m.md"):
        (content / name).write_text("x: 1\n")
    (root / "private" / "p.yml").write_text("x: 1\n")
    (root.parent / "outside" / "o.yml").write_text("x: 1\n")
    os.mkfifo(content / "fifo.yml")
    for name, target in {"l_a.yml": "a.yml", "l_sub": "sub", "l_sub2": "sub", "l_out.yml": "../../outside/o.yml",
                         "l_outdir": "../../outside", "l_private": "../private", "l_p.yml": "../private/p.yml",
                         "loop1.yml": "loop2.yml", "loop2.yml": "loop1.yml", "loopdir": "loopdir2", "loopdir2": "loopdir",
                         "broken.yml": "missing.yml", "broken": "missing", "sub/up": ".."}.items():
        os.symlink(target, content / name)
    return root


@pytest.mark.parametrize("suffixes", [[".yml", ".yaml"], [".vtt", ".md", ".yml"], [".txt"], []])
def test_project_files_lists_as_the_path_walk_did(listed: Path, suffixes: list[str]) -> None:
    for folder in (listed / "content", listed / "content" / "sub", listed / "content" / "l_sub", listed / "content" / "l_outdir",
                   listed / "missing", listed / "content" / "a.yml"):
        assert project_files(folder, listed, suffixes) == _project_files_with_path(folder, listed, suffixes)
    assert project_files(listed / "content", listed, [".yml"])[0], "the walk finds files"


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(alphabet=st.sampled_from(list("nulNUL~0123456789+-.eEoxabfinINFaNT_ :")), max_size=8),
                 st.sampled_from(["null", "Null", "NULL", "~", "", "nULL", "~~", " null", ".inf", ".NaN", "-.5", "0x1F", "0o7", "1e3"])))
def test_null_set_and_number_start_are_the_patterns(text: str) -> None:
    """The loop's set of null words is what the null pattern matches; a text the number pattern matches starts
    with one of the number's first characters."""
    assert (text in yaml_source._NULLS) == bool(yaml_source._NULL.fullmatch(text))
    if yaml_source._NUMBER.fullmatch(text):
        assert text[:1] in yaml_source._NUMBER_START
