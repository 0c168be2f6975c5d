"""Two complete example inventories built in code: a flat clinic (fails as the seeds warn) and a segmented hospital."""
from __future__ import annotations

from pathlib import Path

from builders.inventories import flat_clinic, segmented_hospital, write


def test_examples_are_complete_inventories(tmp_path: Path) -> None:
    from wardwatch.hospital.inventory import load_inventory
    for name, data in (("clinic.yml", flat_clinic()), ("hospital.yml", segmented_hospital())):
        inv = load_inventory(write(tmp_path, name, data))
        assert inv.segments() and inv.section("systems") and inv.section("backups")
