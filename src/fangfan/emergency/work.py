"""Work of emergency plans and drills."""
