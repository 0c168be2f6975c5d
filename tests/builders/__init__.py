"""Builders shared by the tests and benchmarks/golden.py: events, bundles, inventories, syslog lines.

Test modules import from here, never from each other or from conftest."""
