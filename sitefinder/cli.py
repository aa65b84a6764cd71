"""Command line: ``sitefinder score | profiles | categories | demo | ...``.

Bad input ends with one line on stderr naming the problem and a non-zero
exit status; no traceback (unless ``--debug``), no partial output file.
Each command lives in its own module in :mod:`sitefinder.commands`.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__
from .commands import COMMANDS
from .errors import Cancelled, SitefinderError

EXIT_INPUT = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_CANCELLED = 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sitefinder",
        description="Score candidate plots by walking distance to transit, services and neighbours.",
    )
    parser.add_argument("--version", action="version", version=f"sitefinder {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f".commands.{name}", __package__).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``sitefinder`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.func(args)
    except Cancelled:
        print("sitefinder: cancelled", file=sys.stderr)
        return EXIT_CANCELLED
    except KeyboardInterrupt:
        print("\nsitefinder: interrupted", file=sys.stderr)
        return EXIT_CANCELLED
    except BrokenPipeError:
        # Output piped into e.g. `head`, which stopped reading: not an error.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except SitefinderError as exc:
        if args.debug:
            raise
        print(f"sitefinder: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as exc:  # the file system said no (permissions, missing folder, full disk): not a bug
        if args.debug:
            raise
        where = f": {exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"sitefinder: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_INPUT
    except Exception as exc:  # a bug: say so in one line, keep the traceback behind --debug
        if args.debug:
            raise
        print(f"sitefinder: internal error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''} "
              "(rerun with --debug for the traceback and please report it)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
