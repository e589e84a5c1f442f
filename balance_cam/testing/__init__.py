"""Test material with known truth made from real frames (tests and benchmarks import it)."""
