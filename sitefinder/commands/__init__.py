"""CLI commands, one module each: ``register(subparsers)`` adds the command.

To add a command, write a module with ``register`` and list it in
:data:`COMMANDS`.
"""

COMMANDS = ["score", "surface", "profiles", "categories", "demo", "explain", "compare", "sensitivity", "topsites",
            "report"]
