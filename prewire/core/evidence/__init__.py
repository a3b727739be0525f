"""Evidence integrity: artifact hashes, the hash-chained custody log, and verification."""
