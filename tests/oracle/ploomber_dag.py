#!/usr/bin/env python
"""Oracle: print the DAG Ploomber infers for a project, as JSON.

Usage:
    python ploomber_dag.py PROJECT_DIR [-e ENTRY_POINT] [--setenv VAR=VALUE ...]
                           [--env KEY=VALUE ...] [--render]

The project is COPIED to a temporary directory first (Ploomber rewrites
scripts that lack a parameters cell; our fixtures must never be modified),
then loaded from there the way ``ploomber status`` does, but with
``lazy_import=True`` (function modules and Jupyter kernels need not be
installed): the entry point is ``-e`` (relative to the project dir) or the
default one found by ``ploomber.util.default.entry_point()``.

If the project has a ``setup.py`` and a ``src/`` folder, ``src/`` is put on
``sys.path`` (this simulates ``pip install -e .`` of the packaged layout).

Output format (same as ``soopervisor inspect --format json``)::

    {"tasks": {NAME: {"class": CLASS, "source": SOURCE,
                      "upstream": [sorted names], "product": PRODUCT,
                      "params": {...}}}}

``--setenv`` sets a process environment variable (e.g. ENTRY_POINT,
PLOOMBER_ENV_FILENAME) before loading; ``--env`` passes an env override
(like ``ploomber build --env--KEY VALUE``; nested keys with ``.``: path.data).
``--render`` also calls ``dag.render()`` (cycles, duplicated products).
"""
import argparse
import contextlib
import datetime
import json
import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path


def copy_project(project):
    tmp = Path(tempfile.mkdtemp(prefix="ploomber-oracle-")).resolve()
    dst = tmp / Path(project).resolve().name
    shutil.copytree(project, dst, symlinks=True)
    return tmp, dst


def parse_env_overrides(items):
    env = {}
    for item in items or []:
        key, value = item.split("=", 1)
        parts = key.split(".")
        d = env
        for p in parts[:-1]:
            d = d.setdefault(p, {})
        d[parts[-1]] = value
    return env


def load_dag(root, entry_point=None, env=None, render=False):
    """Load the DAG from ``root`` (already a copy). Returns (dag, root)."""
    from ploomber.spec import DAGSpec
    from ploomber.util import default

    os.chdir(root)
    if (root / "setup.py").exists() and (root / "src").is_dir():
        sys.path.insert(0, str(root / "src"))

    if entry_point is None:
        entry_point = default.entry_point()

    if "." in entry_point and "/" not in entry_point \
            and not entry_point.endswith((".yaml", ".yml")) \
            and not os.path.exists(entry_point):
        # a factory's dotted path, as `ploomber build -e pkg.mod.make` loads it
        # (the CLI puts the working folder on sys.path)
        from ploomber.util.dotted_path import load_dotted_path
        sys.path.insert(0, str(root))
        dag = load_dotted_path(entry_point, raise_=True)()
        dag._oracle_project_root = Path(root).resolve()
        if render:
            dag.render(force=True)
        else:
            list(dag.values())
        return dag

    kwargs = {"lazy_import": True}
    if env:
        kwargs["env"] = env
    spec = DAGSpec(entry_point, **kwargs)
    dag = spec.to_dag()
    # Paths are reported relative to Ploomber's project root (the spec's folder, or
    # the setup.py folder of a packaged layout), as the conformance suite does.
    try:
        dag._oracle_project_root = Path(default.find_root_recursively(
            starting_dir=spec._parent_path, filename=spec._path.name)).resolve()
    except Exception:
        dag._oracle_project_root = Path(spec._parent_path).resolve()
    if render:
        dag.render(force=True)
    else:
        # like `ploomber status`: iterate the DAG in topological order
        list(dag.values())
    return dag


def rel(path, root):
    return Path(os.path.relpath(Path(path).resolve(), root)).as_posix()


def jsonable(value):
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        items = [jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set) else items
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def describe_product(product, root):
    from ploomber.products import MetaProduct, File

    if isinstance(product, MetaProduct):
        return {k: describe_product(p, root) for k, p in product.products.products.items()}
    if isinstance(product, File):
        return rel(str(product), root)
    # SQL relations (SQLRelation, SQLiteRelation, PostgresRelation,
    # GenericSQLRelation) expose schema/name/kind
    if hasattr(product, "name") and hasattr(product, "kind"):
        kind = product.kind
        return {"schema": product.schema, "name": product.name, "kind": str(kind)}
    # GenericProduct and others: identifier as a string
    return str(product)


def describe_source(task, root):
    from ploomber.tasks import PythonCallable

    if isinstance(task, PythonCallable):  # dotted path, or the name of a function object
        loader = task.source._callable_loader
        if loader.from_dotted_path:
            return loader._primitive
        return loader.name
    loc = task.source.loc
    if loc is None:
        # e.g. SQLUpload: the source is a (resolved) file path string
        loc = str(task.source)
        if not os.path.isabs(loc):
            return loc
    return rel(loc, root)


def render_products(dag):
    """Ploomber renders every File product as a Jinja template with the task's params
    when the task renders (``{{ 2 + 2 }}`` in a path becomes ``4``); the DAG a pod
    runs uses those paths, so render products whose template was not rendered yet."""
    for task in dag.values():
        try:
            describe_product(task.product, Path("/"))
        except RuntimeError:
            task._render_product()


def describe(dag, root):
    render_products(dag)
    tasks = {}
    for name, task in dag.items():
        params = {
            k: v for k, v in task.params.to_dict().items() if k not in ("product", "upstream")
        }
        tasks[name] = {
            "class": type(task).__name__,
            "source": describe_source(task, root),
            "upstream": sorted(task.upstream),
            "product": describe_product(task.product, root),
            "params": jsonable(params),
        }
    return {"tasks": tasks}


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("project")
    parser.add_argument("-e", "--entry-point", default=None)
    parser.add_argument("--setenv", action="append", default=[])
    parser.add_argument("--env", action="append", default=[])
    parser.add_argument("--render", action="store_true")
    args = parser.parse_args(argv)

    for item in args.setenv:
        k, v = item.split("=", 1)
        os.environ[k] = v

    tmp, root = copy_project(args.project)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(sys.stderr):
            warnings.simplefilter("ignore")
            dag = load_dag(root, args.entry_point,
                           parse_env_overrides(args.env), args.render)
            out = describe(dag, getattr(dag, "_oracle_project_root", root))
    finally:
        os.chdir("/")
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(out, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
