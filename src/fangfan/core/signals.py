"""Signals the core sends when records change, for apps that derive data from records
(compliance results, reminders).

- `records_changing`, kwargs `unit_path` (str): inside the write's transaction, for each
  record written, so that a receiver's writes commit or roll back with the records
  (the standards app marks the unit as waiting for its re-evaluation).
- `records_changed`, kwargs `unit_paths` (set of str): from `transaction.on_commit`, once
  per committed transaction, so a rolled back write never triggers it."""
from django.dispatch import Signal

records_changing = Signal()
records_changed = Signal()
