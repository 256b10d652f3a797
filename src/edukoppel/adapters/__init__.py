"""Storage adapters: where a host application's records live. ``Store`` is the protocol."""

from edukoppel.adapters._memory import MemoryStore
from edukoppel.adapters._sql import SqlStore
from edukoppel.sync import Store, SyncRun

__all__ = ["MemoryStore", "SqlStore", "Store", "SyncRun"]
