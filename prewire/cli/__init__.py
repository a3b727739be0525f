"""The `prewire` command line: parse and validate here, work in the library modules."""
