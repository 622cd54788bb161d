"""Durable state under the data directory: the SQLite journal, private to its user."""

from runtime.store.conversations import Conversations, Turn
from runtime.store.damaged import DamagedState
from runtime.store.db import Journal

__all__ = ["Conversations", "DamagedState", "Journal", "Turn"]
