"""The project's paths and the user's cache folder, each named once in :mod:`generator.layout`."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.layout import CUSTOMERS_FILE, OUTBOX_DIR, PRIVATE_DIR, user_cache
from generator.model.config import CustomerSettings

pytestmark = pytest.mark.unit


def test_the_user_cache_follows_xdg(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert user_cache("whisper", "tiny.en.pt") == tmp_path / "whisper" / "tiny.en.pt"
    for unset in ("", None):
        if unset is None:
            monkeypatch.delenv("XDG_CACHE_HOME")
        else:
            monkeypatch.setenv("XDG_CACHE_HOME", unset)
        assert user_cache("partnerkit", "models") == Path.home() / ".cache" / "partnerkit" / "models"


def test_private_files_live_under_private() -> None:
    assert CustomerSettings().file == CUSTOMERS_FILE == f"{PRIVATE_DIR}/customers.csv"
    assert OUTBOX_DIR == f"{PRIVATE_DIR}/outbox"
