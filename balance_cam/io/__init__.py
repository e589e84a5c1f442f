"""Everything that touches files, cameras and databases: frame sources, atomic writes, landmark
and result files, the SQLite history. Computation lives in :mod:`balance_cam.core`."""
