"""Packages prewire builds for what the stacks deploy as code, a module per cloud."""
