"""Resource downloads and outbound clicks are events of their page: same identity, limits and refusals
as views, counted once per view and resource."""

from __future__ import annotations

import pytest

from tests.signals.conftest import ROI, event, token

pytestmark = pytest.mark.unit


def test_a_download_on_the_reps_view_is_stored_once(collector) -> None:
    rep = token()
    assert collector.post("/e", event(token=rep)).status_code == 204
    assert collector.post("/e", event(type="download", target=ROI, token=rep)).status_code == 204
    assert collector.downloads() == [("module:pricing", ROI, "acme", "rep-7")]
    assert collector.store.query("SELECT views FROM daily") == [(1,)], "a download is not a view"
    replayed = collector.post("/e", event(type="download", target=ROI, token=rep, at=event()["at"] + 5))
    assert (replayed.status_code, replayed.json()) == (409, {"error": "repeated download"})
    assert collector.downloads() == [("module:pricing", ROI, "acme", "rep-7")]
    assert collector.rejected() == {"repeated download": 1}


def test_hostile_downloads_are_refused_counted_and_not_stored(collector) -> None:
    rep = token()
    assert collector.post("/e", event(token=rep)).status_code == 204
    cases = [
        (event(type="download", target="r999999999999", token=rep), 422, "unknown resource"),
        (event(type="download", target=ROI, content="module:basics", token=rep), 422, "unknown resource"),
        (event(type="download", target="<script>", token=rep), 422, "invalid event"),
        (event(type="download", token=rep), 422, "invalid event"),
        (event(target=ROI, token=rep), 422, "invalid event"),
        (event(type="download", target=ROI, token=token("acme", "rep-8")), 409, "repeated download"),  # someone else's view
        (event(type="download", target=ROI, view="vnever-seen-1", token=rep), 409, "repeated download"),  # no such view
        (event(type="download", target=ROI, token=rep[:-4] + "AAAA"), 403, "forged token"),
        ([event(type="download", target=ROI, token=rep, at=event()["at"] + n) for n in range(3)], 409, "repeated download"),
    ]
    answers = []
    for body, status, reason in cases[:-1]:
        response = collector.post("/e", body)
        answers.append((response.status_code, response.json()))
    assert answers == [(status, {"error": reason}) for _, status, reason in cases[:-1]]
    assert collector.downloads() == []
    assert collector.post("/e", cases[-1][0]).status_code == 204  # the first of three copies counts
    assert collector.downloads() == [("module:pricing", ROI, "acme", "rep-7")]
    assert collector.rejected() == {"unknown resource": 2, "invalid event": 3, "repeated download": 4, "forged token": 1}
