"""``python -m ffd12.cli`` runs the ``ffd12`` command."""

from ffd12.cli import main

main()
