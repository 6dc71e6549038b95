"""``statgen md`` commands (filled in by the MD work)."""


def add_commands(subparsers) -> None:
    """Add the ``md`` command group to the top-level parser."""
