"""Fangfan's SQLite database backend (`base.DatabaseWrapper`)."""
