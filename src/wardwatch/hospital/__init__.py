"""The hospital model: inventory, network and backup checks, and the MHLW checklist filled from evidence."""
