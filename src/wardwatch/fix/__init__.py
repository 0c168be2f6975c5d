"""Fix plans: from failing audit checks to reviewed, reversible remediation files (nothing is applied here)."""
