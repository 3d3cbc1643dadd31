"""Versioned releases: one site folder per product release, built once, with a what's-new page each."""
