"""Fixtures for sampler tests."""

from __future__ import annotations

import pytest

from tests.samplers.helpers import World, make_world


@pytest.fixture
def world(tmp_path) -> World:
    """A 4-chromosome random genome (115 kb) with 3 features and an intervals file."""
    return make_world(tmp_path)
