"""The store: where the collector's view events, exam attempts, certificates and the other features'
rows live (SQLite or PostgreSQL). ``core`` knows connections, dialects, the batching writer and the
migration runner; each feature module declares its tables, its migrations and what ``forget`` deletes."""
