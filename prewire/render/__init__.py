"""Offline rendering of any Pulumi Python program into a resource graph, under Pulumi's mocks."""

from __future__ import annotations

from prewire.core.graph import Graph, Invoke, Resource
from prewire.render.program import (
    ProgramError,
    load_stack_config,
    locate_program,
    render,
    render_function,
)

__all__ = [
    "Graph",
    "Invoke",
    "ProgramError",
    "Resource",
    "load_stack_config",
    "locate_program",
    "render",
    "render_function",
]
