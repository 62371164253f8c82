"""Measurements in a real browser: the app and a Chromium started the same way for tests and benchmarks."""
