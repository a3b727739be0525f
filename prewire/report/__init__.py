"""Incident and drill reports: one model, written as Markdown, HTML and JSON."""
