"""The live guided test: protocol (pure guidance), options, session (camera → analyzer →
history), window (OpenCV), command."""
