"""Checkers of the fakes' exchanges against the providers' official API descriptions."""
