"""Embedded emulated clouds for drills, tests and benchmarks."""
