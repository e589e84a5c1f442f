"""Batch analysis: inputs and name patterns, the per-video worker task, the Dask runner, tables."""
