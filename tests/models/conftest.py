"""Model-test fixtures (shared with the config tests)."""

from tests.config.conftest import model_file  # noqa: F401 - re-exported fixture
