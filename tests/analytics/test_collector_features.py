"""The collector's features come from one list (``collector/features.py:FEATURES``): every route of the
collector belongs to a feature of it, a feature left out takes its routes with it, and ``partnerkit
collect`` and the demo's collector mount the very same list."""

from __future__ import annotations

import ast
import signal
from collections import Counter
from pathlib import Path

import pytest
import uvicorn

from generator.store.core import MAX_ENGAGED_MS
from generator.store.database import SqliteStore
from generator.collector.app import CORE_PATHS, CollectorSettings
from generator.collector.features import FEATURES, CollectorSetup, mount_collector
from generator.commands.collect import collect
from generator.commands.demo import DemoCollector, prepare_demo
from generator.events import ContentIndex, read_content_index, write_content_index
from generator.collector.learning import LearningService
from generator.model.config import AnalyticsSettings
from generator.load.config import load_config
from tests.analytics.collector_processes import ENVIRONMENT, write_project
from tests.analytics.conftest import KEYS

pytestmark = pytest.mark.unit

PACKAGE = Path(__file__).resolve().parents[2] / "generator"


def mounted(root: Path, features=FEATURES):
    config = load_config(root)
    settings = CollectorSettings.of(config.analytics, read_content_index(root), config.collector_origins, KEYS, None)
    store = SqliteStore(root / "private/events.sqlite")
    try:
        return mount_collector(CollectorSetup(root, config, settings, store, KEYS, {}), features)
    finally:
        store.close()


def served_paths(app) -> list[str]:
    return sorted(route.path for route in app.routes)


def test_every_route_of_the_collector_belongs_to_a_feature_of_the_list(tmp_path: Path) -> None:
    collector = mounted(write_project(tmp_path / "project"))
    features = collector.app.state.features
    assert list(features) == [feature.name for feature in FEATURES]
    assert features["events"] == list(CORE_PATHS)
    assert served_paths(collector.app) == sorted(path for paths in features.values() for path in paths)
    assert all(features[name] for name in ("exams", "credentials", "worklists", "notifications", "help", "learning"))


def test_a_feature_left_out_of_the_list_takes_its_routes_with_it(tmp_path: Path) -> None:
    root = write_project(tmp_path / "project")
    every = Counter(served_paths(mounted(root).app))
    without = mounted(root, [feature for feature in FEATURES if feature.name != "help"])
    help_paths = mounted(root).app.state.features["help"]
    assert "help" not in without.app.state.features
    assert Counter(served_paths(without.app)) == every - Counter(help_paths)
    assert not set(help_paths) & set(served_paths(without.app))


def test_a_feature_mounted_before_one_it_needs_is_refused(tmp_path: Path) -> None:
    root = write_project(tmp_path / "project")
    by_name = {feature.name: feature for feature in FEATURES}
    with pytest.raises(ValueError) as refused:
        mounted(root, [by_name["events"], by_name["credentials"], by_name["exams"]])
    assert str(refused.value) == "collector feature credentials needs exams mounted before it"


def test_collect_and_the_demo_mount_the_same_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_project(tmp_path / "project")
    served = []
    monkeypatch.setenv("PARTNERKIT_TOKEN_KEYS", ENVIRONMENT["PARTNERKIT_TOKEN_KEYS"])
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.append(app))
    monkeypatch.setattr(signal, "signal", lambda number, handler: None)
    collect(root, None, "127.0.0.1", 8000)

    demo = prepare_demo(root, "127.0.0.1:8000")
    write_content_index(demo.folder, ["module:pricing"], [])
    demo_collector = DemoCollector(demo)
    try:
        demo_app = demo_collector.mount().app
    finally:
        demo_collector.store.close()
        demo_collector.socket.close()
    assert list(served[0].state.features) == list(demo_app.state.features) == [feature.name for feature in FEATURES]
    assert served[0].state.features == demo_app.state.features
    assert served_paths(served[0]) == served_paths(demo_app)


def test_no_module_but_the_feature_list_mounts_a_feature() -> None:
    """``*_routes`` (a feature's routes) are called in ``collector/features.py`` only."""
    calls = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "collector/features.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("_routes"):
                calls.append(f"{path.relative_to(PACKAGE)}: {ast.unparse(node.func)}")
    assert calls == []


def test_the_collector_defaults_are_those_of_the_config_model() -> None:
    """A collector made without settings (library use, tests) counts as one from an empty ``analytics:``."""
    index = ContentIndex(content=frozenset())
    bare, configured = CollectorSettings(index, []), CollectorSettings.of(AnalyticsSettings(), index, [], {}, None)
    assert (bare.identity, bare.identity_header, bare.token_max_age_days, bare.max_engaged_ms,
            bare.rates.per_rep, bare.rates.per_address) == (
        configured.identity, configured.identity_header, configured.token_max_age_days, configured.max_engaged_ms,
        configured.rates.per_rep, configured.rates.per_address)
    assert MAX_ENGAGED_MS == AnalyticsSettings().max_engaged_ms
    assert LearningService(None).record_days == AnalyticsSettings().learning_record_days  # type: ignore[arg-type]
