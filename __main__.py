"""``python -m quotetrace``: the same as the ``quotetrace`` command."""

from quotetrace.cli import main

main()
