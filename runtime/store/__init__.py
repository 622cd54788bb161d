"""Durable state under the data directory: the SQLite journal."""

from runtime.store.conversations import Conversations, Turn
from runtime.store.db import Journal

__all__ = ["Conversations", "Journal", "Turn"]
