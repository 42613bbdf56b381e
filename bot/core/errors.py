"""Errors adapters translate into platform answers."""


class TemporarilyUnavailable(Exception):
    """The turn could not run now (database down or locked): answer with a retryable
    status so the platform delivers the message again. Nothing was recorded."""
