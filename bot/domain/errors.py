"""Refusals of case actions, raised by the services and turned into polite words."""

from __future__ import annotations


class CaseNotFound(Exception):
    """Unknown reference, or one the actor may not see (the same answer for both)."""


class EmptyText(ValueError):
    pass


class TextTooLong(ValueError):
    def __init__(self, length: int, limit: int) -> None:
        super().__init__(f"{length} characters, at most {limit}")
        self.length = length
        self.limit = limit
