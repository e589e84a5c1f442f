"""Programs the tests start as separate processes (not collected as tests)."""
