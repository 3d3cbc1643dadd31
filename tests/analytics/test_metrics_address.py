"""``partnerkit collect --metrics``: Prometheus metrics on their own address, never on the collector's."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.analytics.collector_processes import HEADERS, collector, write_project
from tests.analytics.conftest import free_port

pytestmark = pytest.mark.integration


def test_metrics_are_served_on_their_own_address_only(tmp_path: Path) -> None:
    port = free_port()
    with collector(write_project(tmp_path), None, "--metrics", f"127.0.0.1:{port}") as (url, _):
        assert httpx.post(f"{url}/e", content=b"{not json", headers=HEADERS).status_code == 400
        assert httpx.get(f"{url}/metrics").status_code == 404, "not on the public address"
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics")
    assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
    lines = metrics.text.splitlines()
    assert 'partnerkit_refusals_total{reason="malformed json",route="/e"} 1.0' in lines
    assert 'partnerkit_requests_total{route="/ready",status="200"} 1.0' in lines
    assert 'partnerkit_requests_total{route="(no route)",status="404"} 1.0' in lines


def test_a_metrics_address_that_is_none_is_a_usage_error(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from generator.cli import cli

    result = CliRunner().invoke(cli, ["collect", "-p", str(tmp_path), "--metrics", "9108"])
    assert result.exit_code == 2 and "Invalid value for --metrics: 9108: give HOST:PORT, e.g. 127.0.0.1:9108" in result.output
