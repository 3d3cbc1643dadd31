"""What the collector tells its operator: Prometheus metrics and one log line per refusal reason a minute.

Metrics (``prometheus-client``, one registry per app) are served only where ``partnerkit collect
--metrics HOST:PORT`` says, never on the collector's public address: requests by route and status,
refusals by route and reason, the store's commit time, its writer's queue and the xAPI statements waiting
for the LRS. No metric and no log
line holds a client address, a token or anything else a request carried; routes are the route
templates (``/exams/{exam}/attempts``), so a client cannot add series by inventing paths."""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import time
from datetime import datetime, timezone
from typing import Any, Callable, Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.routing import BaseRoute, Match

LOG = logging.getLogger("partnerkit.collector")

UNMATCHED = "(no route)"
"""The route label of a request no route answers (a 404)."""

_CURRENT: contextvars.ContextVar[tuple["CollectorMetrics", str] | None] = contextvars.ContextVar("partnerkit_metrics", default=None)


class RefusalLog:
    """One structured line per refusal reason and minute (UTC), with how many there were: logged when
    the minute is over (by a timer on the event loop, or by the next refusal), or at shutdown."""

    def __init__(self, clock: Callable[[], float] = time.time, logger: logging.Logger = LOG):
        self.clock, self.logger = clock, logger
        self.minute: int | None = None
        self.counts: dict[str, int] = {}

    def refused(self, reason: str) -> None:
        minute = int(self.clock() // 60)
        if minute != self.minute:
            self.flush()
            self.minute = minute
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = None
            if loop is not None:
                loop.call_later(max(0.0, (minute + 1) * 60 - self.clock()) + 0.5, self._flush_minute, minute)
        self.counts[reason] = self.counts.get(reason, 0) + 1

    def _flush_minute(self, minute: int) -> None:
        if self.minute == minute:
            self.flush()

    def flush(self) -> None:
        """Log the counts of the current minute (one line per reason) and start over."""
        if self.minute is not None:
            at = datetime.fromtimestamp(self.minute * 60, timezone.utc).strftime("%Y-%m-%dT%H:%MZ")
            for reason, count in sorted(self.counts.items()):
                self.logger.warning(json.dumps({"event": "refused", "minute": at, "reason": reason, "count": count}))
        self.counts = {}
        self.minute = None


class CollectorMetrics:
    """The collector's metrics in a registry of their own (several apps in one process stay apart)."""

    def __init__(self, store: Any = None, clock: Callable[[], float] = time.time):
        self.registry = CollectorRegistry()
        self.requests = Counter("partnerkit_requests", "Requests answered, by route template and status",
                                ["route", "status"], registry=self.registry)
        self.refusals = Counter("partnerkit_refusals", "Requests refused, by route template and reason",
                                ["route", "reason"], registry=self.registry)
        self.store_seconds = Histogram("partnerkit_store_commit_seconds", "Seconds one store transaction (a batch) took to commit",
                                       registry=self.registry)
        self.store_queue = Gauge("partnerkit_store_queue_length", "Writes waiting for the store's writer",
                                 registry=self.registry)
        self.lrs_waiting = Gauge("partnerkit_lrs_outbox_waiting", "xAPI statements waiting to be delivered to the LRS",
                                 registry=self.registry)
        self.log = RefusalLog(clock)
        self._answered: dict[tuple[str, int], Any] = {}
        """The request counter of each route template and status (``labels`` looks it up on each call)."""
        if store is not None:
            from generator.store.lrs import outbox_counts

            self.store_queue.set_function(store.queue_length)
            self.lrs_waiting.set_function(lambda: outbox_counts(store)[1])
            store.on_commit = self.store_seconds.observe

    def refused(self, route: str, reason: str) -> None:
        self.refusals.labels(route, reason).inc()
        self.log.refused(reason)

    def answered(self, route: str, status: int) -> None:
        """Count one request answered with ``status`` by the route whose template is ``route``."""
        counter = self._answered.get((route, status))
        if counter is None:
            counter = self._answered[route, status] = self.requests.labels(route, str(status))
        counter.inc()

    def serving(self, route: str) -> contextvars.Token:
        """Label the refusals counted from here on in this request (:func:`count_refused`) with ``route``
        (until :meth:`served` with what this returned)."""
        return _CURRENT.set((self, route))

    @staticmethod
    def served(token: contextvars.Token) -> None:
        _CURRENT.reset(token)


def count_refused(reason: str) -> None:
    """Count a refusal in the metrics of the app answering this request (if any)."""
    current = _CURRENT.get()
    if current is not None:
        metrics, route = current
        metrics.refused(route, reason)


def route_template(routes: Sequence[BaseRoute], scope: dict) -> str:
    """The path template of the route that answers ``scope`` (also for a method it does not allow)."""
    for route in routes:
        match, _ = route.matches(scope)
        if match != Match.NONE:
            return getattr(route, "path", UNMATCHED)
    return UNMATCHED


class RequestMetrics:
    """ASGI middleware counting each HTTP request by route template and status; refusals counted while
    it runs (:func:`count_refused`) are labelled with its route."""

    TEMPLATES_KEPT = 1024
    """Paths whose route template is remembered (all are forgotten when there are more: clients may invent paths)."""

    def __init__(self, app: Any, metrics: CollectorMetrics, routes: Sequence[BaseRoute]):
        self.app, self.metrics, self.routes = app, metrics, routes
        self._templates: dict[tuple[str, str], str] = {}

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = (scope.get("root_path", ""), scope["path"])
        route = self._templates.get(path)
        if route is None:
            if len(self._templates) >= self.TEMPLATES_KEPT:
                self._templates.clear()
            route = self._templates[path] = route_template(self.routes, scope)
        status = 500
        token = self.metrics.serving(route)

        async def sending(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            self.metrics.served(token)
            self.metrics.answered(route, status)
