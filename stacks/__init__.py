"""prewire's Pulumi program: typed, config-free readiness components per cloud."""
