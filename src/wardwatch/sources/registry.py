"""The reader registry: every input format WardWatch reads, in the order their sniff is tried.

Adding a format is one module with a reader (the `base.Reader` protocol: name, sniff, read) and one line below;
a plug-in or a test may also call `READERS.register(reader, before=...)` at run time."""
from __future__ import annotations

from .base import Registry
from .evtxfile import EvtxReader
from .syslog import SyslogReader
from .winjson import JsonReader
from .winxml import XmlReader

READERS = Registry()
READERS.register(EvtxReader())
READERS.register(SyslogReader())  # before XML: "<PRI>" opens a syslog line
READERS.register(XmlReader())
READERS.register(JsonReader())
