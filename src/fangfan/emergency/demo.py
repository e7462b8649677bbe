"""Demo data of emergency plans and drills."""
