"""Readiness controls: the catalogue, static rules over a rendered graph, and live checks."""
