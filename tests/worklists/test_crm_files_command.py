"""``partnerkit worklists`` as a user runs it, in the project folder (no ``-p``), on a Salesforce report
saved by Japanese Excel: cp932, its footer left in."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import partnerkit, user_environment

pytestmark = pytest.mark.integration

MAPPING = """customers:
  date_format: "%Y/%m/%d"
  columns: {customer_id: 取引先ID, name: 取引先名, partner_id: パートナーID, segment: セグメント,
            renewal_date: 更新日, health_score: ヘルススコア}
"""
EXPORT = ("取引先ID,取引先名,パートナーID,セグメント,更新日,ヘルススコア\r\n"
          "A-1,株式会社ソラ,acme,SMB,2027/02/28,78%\r\n"
          "A-2,北斗物流,globex,Enterprise,2027/03/31,55%\r\n"
          "\r\n総計 (2 レコード)\r\n\r\nOstrova株式会社\r\n"
          "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\r\n"
          "Confidential Information - Do Not Distribute\r\n")


def test_worklists_in_the_project_folder_reads_a_japanese_excel_export_with_its_footer(project: Path) -> None:
    (project / "site_config.yml").write_text((project / "site_config.yml").read_text() + MAPPING)
    (project / "private/customers.csv").write_bytes(EXPORT.encode("cp932"))
    result = partnerkit("worklists", "--date", "2027-01-15", cwd=project,
                        env=user_environment(PARTNERKIT_TOKEN_KEYS="k1:0123456789abcdef0123"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "2027-01-15: 2 cases opened, 0 still open or kept, 0 closed; 2 open in all",
        "private/customers.csv: read as cp932 (detected; set customers.encoding if names look wrong)",
        "private/customers.csv: skipped 6 lines of report footer after the data (lines 4–9)",
        "Worklists written to private/worklists/2027-01-15/"]
    assert "株式会社ソラ" in (project / "private/worklists/2027-01-15/acme.csv").read_text(encoding="utf-8")
