"""The project's exceptions: each carries a message a user can act on."""

from __future__ import annotations


class InterpError(Exception):
    """Base class of every error the CLI and the app show as one clear line."""


class InputError(InterpError, ValueError):
    """Bad user input: a missing or unreadable file, wrong sizes, out-of-range numbers."""


class WeightsError(InterpError, FileNotFoundError):
    """A checkpoint is missing, unreadable or does not fit its model."""


class FetchError(InterpError):
    """Downloading or unpacking weights failed."""
