"""Reports built from a ScanResult: the self-contained HTML report and its timeline picture."""
