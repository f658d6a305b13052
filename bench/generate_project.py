#!/usr/bin/env python3
"""Write a synthetic, valid Ploomber project with N tasks (benchmark input).

    python3 bench/generate_project.py N OUTDIR [--seed S] [--no-sql] [--built]

Standard library only. The same (N, seed) always gives byte-identical files.

Task mix (drawn per task with a seeded RNG):
  * 35% percent-format scripts  scripts/gNNN/<name>.py     (NotebookRunner)
  * 20% notebooks               notebooks/gNNN/<name>.ipynb (NotebookRunner, python3 kernelspec)
  * 30% functions               tasks/mod_K.py::<name>      (PythonCallable, 20 per module)
  * 15% SQL scripts             sql/gNNN/<name>.sql          (SQLScript, product [schema, name, table])
Scripts and notebooks have a cell tagged "parameters" holding `upstream = [...]`
or `upstream = None` and `product = None`, followed by a code cell; one in four
of them has a two-product mapping {nb, data}. Functions read `upstream['x']`.
SQL sources reference `{{ upstream['x'] }}` and `{{ product }}`; their client is
declared at the top level (`clients:` -> db.get_client, a DBAPIClient on sqlite3,
standard library only), which Ploomber calls at load time unless lazy.

Edges: task i gets 0-3 upstream tasks drawn among tasks 0..i-1 (for a SQL task:
among the earlier SQL tasks, since it reads their tables); the last task
(a script) is the wide fan-in, with min(1000, N-1) upstream tasks.
Products are unique, under output/.
"""
import argparse
import json
import os
import random

FAN_IN = 1000
FUNCS_PER_MODULE = 20
FILES_PER_DIR = 1000
KINDS = ("script", "notebook", "function", "sql")
WEIGHTS = (35, 20, 30, 15)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def py_list(names):
    return "[" + ", ".join("'%s'" % n for n in names) + "]" if names else "None"


def script_text(name, ups, multi):
    lines = [
        "# %% tags=[\"parameters\"]",
        "upstream = %s" % py_list(ups),
        "product = None",
        "",
        "# %%",
        "from pathlib import Path",
        "",
    ]
    for i, u in enumerate(ups[:3]):
        lines.append("input_%d = upstream[%r]" % (i, u))
    if multi:
        lines.append("Path(product['data']).write_text(%r)" % name)
    lines.append("print(%r)" % ("task " + name))
    return "\n".join(lines) + "\n"


def notebook_text(name, ups, multi):
    code = ["from pathlib import Path"]
    for i, u in enumerate(ups[:3]):
        code.append("input_%d = upstream[%r]" % (i, u))
    if multi:
        code.append("Path(product['data']).write_text(%r)" % name)
    code.append("print(%r)" % ("task " + name))

    def src(lines):
        return [l + "\n" for l in lines[:-1]] + lines[-1:]

    nb = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "params-" + name,
                "metadata": {"tags": ["parameters"]},
                "outputs": [],
                "source": src(["upstream = %s" % py_list(ups), "product = None"]),
            },
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "code-" + name,
                "metadata": {},
                "outputs": [],
                "source": src(code),
            },
        ],
        "metadata": {
            "kernelspec": {
                "display_name": "Python 3",
                "language": "python",
                "name": "python3",
            },
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(nb, indent=1) + "\n"


def function_text(name, ups):
    if not ups:
        return (
            "def %s(product):\n"
            "    Path(str(product)).write_text(%r)\n" % (name, name)
        )
    body = ["def %s(product, upstream):" % name]
    for i, u in enumerate(ups):
        body.append("    input_%d = Path(str(upstream[%r])).read_text()" % (i, u))
    body.append(
        "    Path(str(product)).write_text(%s)"
        % " + ".join("input_%d" % i for i in range(len(ups)))
    )
    return "\n".join(body) + "\n"


def sql_text(name, ups):
    lines = ["-- task %s" % name, "DROP TABLE IF EXISTS {{ product }};", "CREATE TABLE {{ product }} AS"]
    if not ups:
        lines.append("SELECT 1 AS x;")
    else:
        for i, u in enumerate(ups):
            prefix = "SELECT * FROM" if i == 0 else "UNION ALL SELECT * FROM"
            lines.append("%s {{ upstream['%s'] }}" % (prefix, u))
        lines[-1] += ";"
    return "\n".join(lines) + "\n"


def yaml_str(s):
    return json.dumps(s)  # a JSON string is a valid YAML flow scalar


# The time of the first task's build in --built projects (any fixed instant works).
BUILT_AT = 1_700_000_000.0


def write_products(out, product_yaml, timestamp):
    """Writes each file product of a task and the `.NAME.metadata` Ploomber keeps beside it
    (timestamp, params and the stored source), so that the task counts as up to date."""
    for line in product_yaml.splitlines():
        path = line.split(":", 1)[1].strip()
        if not path.startswith("output/"):
            continue  # a SQL relation keeps its metadata in the database
        write(os.path.join(out, path), "built\n")
        head, name = os.path.split(path)
        meta = {"timestamp": timestamp, "params": {}, "stored_source_code": ""}
        write(os.path.join(out, head, ".%s.metadata" % name), json.dumps(meta))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("n", type=int)
    p.add_argument("outdir")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-sql", action="store_true", help="leave SQL tasks out")
    p.add_argument(
        "--built",
        action="store_true",
        help="also write every file product and its .metadata, as after a `ploomber build` "
        "(timestamps rising in task order, so every task is up to date)",
    )
    a = p.parse_args()
    if a.n < 1:
        p.error("N must be >= 1")

    rng = random.Random(a.seed)
    n = a.n
    width = max(5, len(str(n - 1)))
    names = ["t%0*d" % (width, i) for i in range(n)]
    weights = WEIGHTS if not a.no_sql else WEIGHTS[:3]
    kinds = list(KINDS[: len(weights)])

    tasks = []  # (name, kind, ups, multi)
    sql_idx = []
    for i in range(n):
        if i == n - 1 and n > 1:
            kind = "script"
            ups = sorted(rng.sample(range(i), min(FAN_IN, i)))
        else:
            kind = rng.choices(kinds, weights)[0]
            # SQL scripts read tables: their upstream are earlier SQL tasks only
            pool = sql_idx if kind == "sql" else range(i)
            k = min(rng.randint(0, 3), len(pool))
            ups = sorted(rng.sample(pool, k))
            if kind == "sql":
                sql_idx.append(i)
        multi = kind in ("script", "notebook") and rng.random() < 0.25
        tasks.append((names[i], kind, [names[j] for j in ups], multi))

    out = a.outdir
    os.makedirs(out, exist_ok=True)
    entries = []
    modules = {}  # module index -> list of function texts
    n_func = 0
    for i, (name, kind, ups, multi) in enumerate(tasks):
        group = "g%03d" % (i // FILES_PER_DIR)
        if kind in ("script", "notebook"):
            if kind == "script":
                source = "scripts/%s/%s.py" % (group, name)
                write(os.path.join(out, source), script_text(name, ups, multi))
            else:
                source = "notebooks/%s/%s.ipynb" % (group, name)
                write(os.path.join(out, source), notebook_text(name, ups, multi))
            if multi:
                product = (
                    "    product:\n"
                    "      nb: output/%s/%s.ipynb\n"
                    "      data: output/%s/%s.csv\n" % (group, name, group, name)
                )
            else:
                product = "    product: output/%s/%s.ipynb\n" % (group, name)
        elif kind == "function":
            mod = n_func // FUNCS_PER_MODULE
            n_func += 1
            modules.setdefault(mod, []).append(function_text(name, ups))
            source = "tasks.mod_%d.%s" % (mod, name)
            product = "    product: output/%s/%s.txt\n" % (group, name)
        else:
            source = "sql/%s/%s.sql" % (group, name)
            write(os.path.join(out, source), sql_text(name, ups))
            product = "    product: [bench, %s, table]\n" % name
        entries.append("  - source: %s\n%s" % (yaml_str(source), product))
        if a.built:
            write_products(out, product, BUILT_AT + i)

    if modules:
        write(os.path.join(out, "tasks", "__init__.py"), "")
        for mod, funcs in sorted(modules.items()):
            header = '"""Function tasks (generated)."""\nfrom pathlib import Path\n\n\n'
            write(os.path.join(out, "tasks", "mod_%d.py" % mod), header + "\n\n".join(funcs))

    has_sql = any(t[1] == "sql" for t in tasks)
    head = "# Synthetic Ploomber project: %d tasks, seed %d (bench/generate_project.py)\n" % (n, a.seed)
    if has_sql:
        head += "clients:\n  SQLScript: db.get_client\n  SQLRelation: db.get_client\n"
        write(
            os.path.join(out, "db.py"),
            '"""Database client for the SQL tasks (standard library only)."""\n'
            "import sqlite3\n\n\n"
            "def get_client():\n"
            "    from ploomber.clients import DBAPIClient\n\n"
            "    return DBAPIClient(sqlite3.connect, dict(database='output/bench.db'))\n",
        )
    write(os.path.join(out, "pipeline.yaml"), head + "tasks:\n" + "".join(entries))
    write(
        os.path.join(out, "environment.yml"),
        "name: bench\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n    - ploomber\n",
    )
    write(
        os.path.join(out, "environment.lock.yml"),
        "name: bench\ndependencies:\n  - python=3.11.7\n  - pip=23.2.1\n  - pip:\n    - ploomber==0.23.3\n",
    )
    write(os.path.join(out, ".gitignore"), "output/\n")
    counts = {k: sum(1 for t in tasks if t[1] == k) for k in KINDS}
    edges = sum(len(t[2]) for t in tasks)
    print(
        "%s: %d tasks (%s), %d edges, %d function modules"
        % (out, n, ", ".join("%d %s" % (counts[k], k) for k in KINDS), edges, len(modules))
    )


if __name__ == "__main__":
    main()
