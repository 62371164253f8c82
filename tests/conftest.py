"""Shared fixtures: the real MNIST and the book's weights come from ../shared through environment variables."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_env(name: str) -> Path:
    """Path named by an environment variable; skip without it, but fail in CI where a skip would hide a gap."""
    value = os.environ.get(name)
    if value and Path(value).exists():
        return Path(value)
    reason = f"{name} is not set to an existing path" if not value else f"{name}={value} does not exist"
    if IN_CI:
        pytest.fail(f"{reason}; CI must provide it (see .ci/run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """Folder with the four genuine MNIST IDX .gz files (MNIST_DIR)."""
    return require_env("MNIST_DIR")


@pytest.fixture(scope="session")
def book_weights_path() -> Path:
    """The book's sample_weight.pkl (BOOK_WEIGHTS)."""
    return require_env("BOOK_WEIGHTS")
