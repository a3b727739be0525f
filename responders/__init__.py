"""Bundled responders. Import-light: packaged into the deployed responder function."""
