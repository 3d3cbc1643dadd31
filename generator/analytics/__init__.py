"""View logs: the event format, rep tokens, the collector server and its store.

Shares nothing with the site build but the formats in ``events`` (defined once)."""
