"""``python -m balance_cam.cli``: the same as the ``balance-cam`` command."""

from balance_cam.cli import main

main()
