"""The package version (single source, read by the build backend)."""

__version__ = "1.0.0a1"
