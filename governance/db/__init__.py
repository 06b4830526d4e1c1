"""Engine, sessions, the declarative base and migrations of the system of record."""

from governance.db.base import Base, UTCDateTime
from governance.db.engine import Database, make_engine

__all__ = ["Base", "Database", "UTCDateTime", "make_engine"]
