"""The load stage: read input files, validate them and report every error with its location."""
