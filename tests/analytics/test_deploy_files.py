"""``partnerkit deploy nginx`` and ``deploy systemd`` in-process: what they write, and values that could
end a directive refused."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import FIXTURES

pytestmark = pytest.mark.unit


def proxied_at(location: str, text: str) -> bool:
    """Whether ``location`` (a prefix) passes every request under it to the collector."""
    return re.search(rf"\n    location {re.escape(location)} {{\n(        .*\n)*?        proxy_pass http://partnerkit_collector/;", text) is not None


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "academy"
    shutil.copytree(FIXTURES / "minimal", target)
    config = target / "site_config.yml"
    config.write_text(config.read_text() + "analytics:\n  endpoint: https://collect.example.com/e\n")
    return target


def test_nginx_file_proxies_every_route_with_the_collectors_limits(project: Path) -> None:
    result = CliRunner().invoke(cli, ["deploy", "nginx", "-p", str(project)])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "server_name partners.example.com;" in text and "server_name collect.example.com;" in text
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in text and "$proxy_add_x_forwarded_for" not in text
    assert proxied_at("/", text), "every route, not only /e"
    for line in ("client_max_body_size 16k;", "client_body_timeout 5s;", "client_header_timeout 5s;",
                 'proxy_set_header X-Partnerkit-Rep "";', f"root {project}/site;", "error_page 404 /404.html;",
                 "ssl_certificate /etc/letsencrypt/live/partners.example.com/fullchain.pem;"):
        assert line in text


def test_a_collector_under_a_path_of_the_sites_host_shares_its_server_block(project: Path) -> None:
    config = project / "site_config.yml"
    config.write_text(config.read_text().replace("https://collect.example.com/e", "https://partners.example.com/collect/e"))
    result = CliRunner().invoke(cli, ["deploy", "nginx", "-p", str(project)])
    assert result.exit_code == 0, result.output
    assert result.output.count("server_name partners.example.com;") == 2, "the HTTP redirect and the site"
    assert "server_name collect" not in result.output and "client_max_body_size 16k;" in result.output
    assert proxied_at("/collect/", result.output)


@pytest.mark.parametrize("option", [["--certificate", "/etc/x.pem; include /etc/shadow"], ["--site-dir", "/srv/a b"],
                                    ["--listen", "443 ssl; }"]])
def test_values_that_could_end_a_directive_are_refused(project: Path, option: list[str]) -> None:
    result = CliRunner().invoke(cli, ["deploy", "nginx", "-p", str(project), *option])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {option[0]} ") and result.output.endswith(": use letters, digits and . / : _ - only\n")


def test_systemd_unit_is_hardened_and_verifies(project: Path, tmp_path: Path) -> None:
    unit = tmp_path / "partnerkit-collect.service"
    result = CliRunner().invoke(cli, ["deploy", "systemd", "-p", str(project), "--metrics", "127.0.0.1:9108", "-o", str(unit)])
    assert result.exit_code == 0, result.output
    text = unit.read_text()
    for line in ("NoNewPrivileges=yes", "ProtectSystem=strict", f"ReadWritePaths={project}/private", "KillSignal=SIGTERM",
                 "CapabilityBoundingSet=", "User=partnerkit"):
        assert line in text.splitlines()
    assert "collect -p " in text and " --metrics 127.0.0.1:9108" in text
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian's systemd package): the unit was not verified")
    # verify reads the unit as systemd would: unknown or misspelt options, a missing executable, bad values
    verified = subprocess.run([analyze, "verify", "--man=no", str(unit)], capture_output=True, text=True)
    problems = [line for line in verified.stderr.splitlines() if str(unit) in line or "Unknown" in line]
    assert verified.returncode == 0 and problems == [], verified.stderr
