"""Fangfan (防范): the system of record for counter-terrorism prevention work."""
