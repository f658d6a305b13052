#!/usr/bin/env python
"""Oracle for failing projects: print the error Ploomber raises.

Usage: python ploomber_error.py PROJECT_DIR [-e ENTRY] [--setenv VAR=VAL]
                                [--env KEY=VAL] [--no-render]

Works on a temporary COPY of the project. Loads the spec like
``ploomber_dag.py`` (lazy_import=True) and then renders the DAG (cycles and
duplicated products only fail at render). Prints one block per exception in
the chain (outermost first)::

    TypeName: message

and exits 0 if an error was raised, 2 if the project loaded fine.
"""
import argparse
import contextlib
import os
import re
import shutil
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ploomber_dag import copy_project, load_dag, parse_env_overrides  # noqa


def normalise(msg, root, tmp):
    """Remove machine-dependent parts (temp dirs, venv paths, timestamps)."""
    msg = msg.replace(str(root), "<project>").replace(str(tmp), "<tmp>")
    msg = msg.replace(str(Path(sys.prefix)), "<venv>")
    msg = re.sub(r"'/tmp/ploombe[^']*'", "'<tmp>'", msg)
    msg = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?", "<now>", msg)
    msg = re.sub(r"'user': '[^']*'", "'user': '<user>'", msg)
    return "\n".join(line.rstrip() for line in msg.splitlines()).strip("\n")


def chain(exc):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("project")
    parser.add_argument("-e", "--entry-point", default=None)
    parser.add_argument("--setenv", action="append", default=[])
    parser.add_argument("--env", action="append", default=[])
    parser.add_argument("--no-render", action="store_true")
    args = parser.parse_args(argv)
    for item in args.setenv:
        k, v = item.split("=", 1)
        os.environ[k] = v

    tmp, root = copy_project(args.project)
    error = None
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(sys.stderr):
            warnings.simplefilter("ignore")
            try:
                load_dag(root, args.entry_point, parse_env_overrides(args.env),
                         render=not args.no_render)
            except BaseException as e:  # noqa
                error = e
    finally:
        os.chdir("/")
        shutil.rmtree(tmp, ignore_errors=True)

    if error is None:
        print("NO ERROR: the project loaded fine", file=sys.stderr)
        sys.exit(2)
    blocks = []
    for e in chain(error):
        msg = normalise(str(e), root, tmp)
        blocks.append(f"{type(e).__name__}: {msg}")
    print("\n---\n".join(blocks))


if __name__ == "__main__":
    main()
