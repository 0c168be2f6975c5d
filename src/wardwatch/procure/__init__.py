"""Procurement requirement clauses (調達仕様書の記載例) from the gaps WardWatch found."""
