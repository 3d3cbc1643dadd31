"""Links from a case to the procedure page of the release the partner reads."""

from __future__ import annotations

import pytest

from generator.commands.worklists import procedure_url
from generator.load.config import load_config
from generator.model.config import Release
from tests.worklists.conftest import EXAMPLE

pytestmark = pytest.mark.unit


def test_the_partners_release_or_the_default() -> None:
    config = load_config(EXAMPLE)
    assert procedure_url(config, "renewal-90-60-30", None) == "https://partners.ostrova.example/procedures/renewal-90-60-30/"
    versioned = config.model_copy(update={"versions": [Release(version="2.4"), Release(version="2.3", ref="v2.3")],
                                          "default": "2.4"})
    assert procedure_url(versioned, "renewal", "2.3") == "https://partners.ostrova.example/2.3/procedures/renewal/"
    assert procedure_url(versioned, "renewal", "9.9") == "https://partners.ostrova.example/2.4/procedures/renewal/"
    assert procedure_url(versioned, "renewal", None) == "https://partners.ostrova.example/2.4/procedures/renewal/"
