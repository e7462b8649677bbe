"""Signals the core sends after a committed write, for apps that derive data from
records (compliance results, reminders). Sent from `transaction.on_commit`, so a rolled
back write never triggers them."""
from django.dispatch import Signal

# kwargs: unit_paths (set of str) — the units whose records changed.
records_changed = Signal()
