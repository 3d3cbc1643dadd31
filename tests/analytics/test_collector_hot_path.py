"""The collector's hot path, made faster (issue 32), answers as before: bodies parse as ``json`` parses
them, a body's deadline is still a 408, the store's futures for the event loop complete there."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from starlette.requests import Request

from generator.store.core import StoredEvent
from generator.store.database import SqliteStore
from generator.collector import app as collector
from generator.collector.app import Refused, load_json, read_body
from tests.conftest import run_async

pytestmark = pytest.mark.unit


def answer(body: bytes) -> object:
    """What ``load_json`` makes of a body: the data, or the refusal's status and reason."""
    try:
        return ("data", load_json(body))
    except Refused as refused:
        return (refused.status, refused.reason)


@pytest.mark.parametrize(("body", "expected"), [
    (b'{"at": 1765100000000, "view": "v0123456789"}', ("data", {"at": 1765100000000, "view": "v0123456789"})),
    (b'{"at": 123456789012345678901234567890}', ("data", {"at": 123456789012345678901234567890})),  # an int, as json keeps it
    (b"[NaN]", "nan"),
    (b"[1e999]", ("data", [float("inf")])),
    (b'\xef\xbb\xbf{"a": 1}', ("data", {"a": 1})),  # a UTF-8 byte order mark
    ('{"a": "\u00e9"}'.encode("utf-16"), ("data", {"a": "\u00e9"})),  # UTF-16, which json detects
    ('{"a": "\u00e9"}'.encode(), ("data", {"a": "\u00e9"})),
    (b'{"a": "\\ud83d\\ude00"}', ("data", {"a": "\U0001f600"})),  # a surrogate pair is one character
    (b'{"a": "\\ud800"}', (422, "unstorable text")),  # a lone surrogate, escaped
    (b'{"a": "\xed\xa0\x80"}', (422, "unstorable text")),  # a lone surrogate, UTF-8 encoded
    (b'{"\\u0000": 1}', (422, "unstorable text")),  # a NUL, in a key
    (b'{"a": "x\\\\u0000"}', ("data", {"a": "x\\u0000"})),  # an escaped backslash, then text
    (b'{"a": "\x00"}', (400, "malformed json")),  # a raw control character
    (b'{"a": 1,}', (400, "malformed json")),
    (b"\xff\xfe\xfd", (400, "malformed json")),
    (b"[" * 11 + b"]" * 11, (400, "too deep")),
])
def test_bodies_are_read_as_json_reads_them(body: bytes, expected: object) -> None:
    if expected == "nan":
        assert str(answer(body)) == "('data', [nan])"
    else:
        assert answer(body) == expected
        assert type(answer(body)[1]) is type(expected[1])


def trickled(parts: list[bytes], pause: float) -> Request:
    """A request whose body arrives in ``parts``, ``pause`` seconds apart (then nothing more)."""
    messages = [{"type": "http.request", "body": part, "more_body": True} for part in parts]

    async def receive() -> dict:
        if not messages:
            await asyncio.sleep(3600)
        await asyncio.sleep(pause)
        return messages.pop(0)

    return Request({"type": "http", "method": "POST", "path": "/e", "headers": []}, receive)


def test_a_body_that_does_not_arrive_in_time_is_refused_408_and_the_request_carries_on() -> None:
    async def attempt() -> tuple[object, float, bool]:
        started = time.monotonic()
        try:
            await read_body(trickled([b"{", b'"a"'], 0.05), seconds=0.5)
        except Refused as refused:
            outcome: object = (refused.status, refused.reason)
        task = asyncio.current_task()
        await asyncio.sleep(0.01)  # the request goes on (to count the refusal): it is not cancelled
        deadlines = collector._DEADLINES[asyncio.get_running_loop()]
        return outcome, time.monotonic() - started, task.cancelling() == 0 and not deadlines.waiting and not deadlines.expired

    outcome, took, cleared = run_async(attempt())
    assert outcome == (408, "slow body")
    assert 0.5 <= took < 5  # the deadline, give or take one look of the timer (generous: a loaded machine)
    assert cleared


def test_a_body_in_parts_within_its_time_is_read_whole() -> None:
    async def whole() -> bytes:
        parts = [{"type": "http.request", "body": b'{"a":', "more_body": True},
                 {"type": "http.request", "body": b" 1}", "more_body": False}]

        async def receive() -> dict:
            await asyncio.sleep(0.01)
            return parts.pop(0)

        return await read_body(Request({"type": "http", "method": "POST", "path": "/e", "headers": []}, receive))

    assert run_async(whole()) == b'{"a": 1}'


def test_a_request_cancelled_for_another_reason_is_not_answered_408() -> None:
    async def cancelled() -> str:
        reading = asyncio.ensure_future(read_body(trickled([b"{"], 0.01), seconds=5))
        await asyncio.sleep(0.1)
        reading.cancel()
        try:
            await reading
        except asyncio.CancelledError:
            return "cancelled"
        return "answered"

    assert run_async(cancelled()) == "cancelled"


def event(view: str) -> StoredEvent:
    return StoredEvent("2026-12-07", "view", "module:pricing", "", view, "acme", "ana", 0, 0, received=1_765_100_000_000)


def test_events_written_from_an_event_loop_are_committed_before_their_future_completes(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "events.sqlite")
    try:
        async def write() -> list[int]:
            return list(await asyncio.gather(*(store.written([event(f"view{n:08d}")]) for n in range(50)),
                                             store.written([event("view00000000")])))

        counts = run_async(write())
        assert sorted(counts) == [0] + [1] * 50  # the repeated view is stored once
        assert store.query("SELECT COUNT(*) FROM views") == [(50,)]
    finally:
        store.close()


def test_a_closed_event_loop_does_not_stop_the_writer(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "events.sqlite")
    try:
        async def leave_waiting() -> None:
            store.written([event("view-left-00")])  # nobody awaits it: its loop is closed before the commit

        run_async(leave_waiting())
        assert store.write([event("view-after-0")]).result(timeout=10) == 1
        assert store.query("SELECT view FROM views ORDER BY view") == [("view-after-0",), ("view-left-00",)]
    finally:
        store.close()


def test_unstorable_text_is_refused_at_once_from_an_event_loop(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "events.sqlite")
    try:
        async def write() -> str:
            try:
                await store.written([event("view\x00abcd")])
            except ValueError as refused:
                return str(refused)
            return "stored"

        assert run_async(write()) == "contains a NUL character (character 5), which no store can hold"
        assert store.query("SELECT COUNT(*) FROM views") == [(0,)]
    finally:
        store.close()


def test_a_store_attached_to_an_event_loop_writes_there_and_answers_every_caller(tmp_path: Path) -> None:
    """Attached, the loop commits what its requests submitted (no writer thread); a caller on another
    thread is handed over to it; a caller waiting on the loop itself does not wait for itself; detached,
    the thread writes again, and nothing given to either writer is lost."""
    store = SqliteStore(tmp_path / "events.sqlite")
    try:
        assert store.write([event("before-attach")]).result(timeout=10) == 1

        async def serve() -> dict[str, object]:
            loop = asyncio.get_running_loop()
            assert store.attach(loop)
            assert not store.attach(loop)  # once
            seen: dict[str, object] = {"thread alive": store._writer.is_alive()}
            seen["loop"] = await asyncio.gather(*(store.written([event(f"loop{n:08d}")]) for n in range(20)))
            seen["other thread"] = await asyncio.to_thread(lambda: store.write([event("from-a-thread")]).result(timeout=10))
            seen["waited on the loop"] = store.run(lambda db: db.rows("SELECT COUNT(*) FROM views")).result(timeout=10)
            store.written([event("left-pending")])  # submitted, not awaited: written when detaching
            store.detach()
            seen["thread after"] = store._writer.is_alive()
            return seen

        seen = run_async(serve())
        assert seen == {"thread alive": False, "loop": [1] * 20, "other thread": 1,
                        "waited on the loop": [(22,)], "thread after": True}
        assert store.write([event("after-detach")]).result(timeout=10) == 1
        assert store.query("SELECT COUNT(*) FROM views") == [(24,)]
    finally:
        store.close()


def test_a_store_closed_from_another_thread_while_attached_writes_what_it_was_given(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "events.sqlite")

    async def serve() -> int:
        assert store.attach(asyncio.get_running_loop())
        written = store.written([event("given-00001")])
        await asyncio.to_thread(store.close)
        return await written

    assert run_async(serve()) == 1
    assert store.query("SELECT view FROM views") == [("given-00001",)]
    assert store.write([event("after-close")]).exception(timeout=10) is not None  # closed: refused, not lost silently


def test_the_collector_writes_on_its_loop_while_it_serves(tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from generator.collector.app import CollectorSettings, create_app
    from generator.events import ContentIndex

    store = SqliteStore(tmp_path / "events.sqlite")
    settings = CollectorSettings(ContentIndex(content={"module:pricing"}), ["https://partners.example.com"])
    body = json.dumps({"type": "view", "content": "module:pricing", "view": "served-00001", "at": int(time.time() * 1000)})
    try:
        with TestClient(create_app(settings, store)) as client:
            answer = client.post("/e", content=body, headers={"origin": "https://partners.example.com", "user-agent": "Mozilla/5.0"})
            assert (answer.status_code, store._loop is not None, store._writer.is_alive()) == (204, True, False)
            assert store.query("SELECT view FROM views") == [("served-00001",)]  # committed before the 204
        assert (store._loop, store._writer.is_alive()) == (None, True)
    finally:
        store.close()


def test_json_reads_every_body_the_same_with_or_without_the_fast_parser() -> None:
    bodies = [json.dumps({"type": "view", "at": n * 7919, "view": f"v{n:010d}", "x": [n, None, True, 1.5]}).encode()
              for n in range(200)]
    assert [collector._parsed(body) for body in bodies] == [json.loads(body) for body in bodies]
