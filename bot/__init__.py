"""Civic Forum Bot: the participant side of a civil-society forum in one Telegram chat."""

__version__ = "0.1.0"
