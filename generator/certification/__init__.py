"""Certification: grading quizzes, exam answer keys, certificates and partner tiers."""
