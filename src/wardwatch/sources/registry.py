"""The reader registry: every input format WardWatch reads, in the order their sniff is tried.

Adding a format is one module with a reader (the `base.Reader` protocol: name, sniff, read; `base.FileReader` when
the format is a sniff test and a parser of one file) and one line below;
a plug-in or a test may also call `READERS.register(reader, before=...)` at run time."""
from __future__ import annotations

from .base import Registry
from .evtxfile import EVTX_READER
from .syslog import SyslogReader
from .winjson import JSON_READER
from .winxml import XML_READER

READERS = Registry()
READERS.register(EVTX_READER)
READERS.register(SyslogReader())  # before XML: "<PRI>" opens a syslog line
READERS.register(XML_READER)
READERS.register(JSON_READER)
