"""Helpers for tests and benchmarks: synthetic scenes with ground truth and the measures they need."""
