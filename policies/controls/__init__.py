"""Control definitions, a module (or package) per cloud, found through `prewire.core.clouds`."""
