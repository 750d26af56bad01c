"""Shared ground of every process: database, settings, clock, audit, numbering, users, visibility, uploads, text."""
