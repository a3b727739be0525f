"""Static rules: plain functions over a rendered resource graph."""
