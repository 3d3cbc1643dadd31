"""Recorded talks: transcript readers registered by extension, transcription, and articles."""
