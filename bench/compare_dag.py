#!/usr/bin/env python3
"""Check that Ploomber and the Rust soopervisor see the same DAG in a project.

    VENV/bin/python bench/compare_dag.py PROJECT_DIR path/to/soopervisor

Loads the project with `DAGSpec('pipeline.yaml', lazy_import=True).to_dag()`
(ploomber must be importable) and compares, task by task, the upstream set and the
task class with `soopervisor inspect --format json`. Exit 1 on any difference.
"""
import contextlib
import io
import json
import os
import subprocess
import sys


def main():
    project, binary = sys.argv[1], sys.argv[2]
    rust = json.loads(
        subprocess.run(
            [binary, "inspect", "--format", "json", "-C", project],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )["tasks"]

    from ploomber.spec import DAGSpec

    cwd = os.getcwd()
    os.chdir(project)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            dag = DAGSpec("pipeline.yaml", lazy_import=True).to_dag()
    finally:
        os.chdir(cwd)
    py = {name: (type(dag[name]).__name__, sorted(dag[name].upstream)) for name in dag.keys()}
    rs = {name: (t["class"], sorted(t["upstream"])) for name, t in rust.items()}

    diff = sorted(set(py) ^ set(rs))
    diff += sorted(n for n in set(py) & set(rs) if py[n] != rs[n])
    edges = sum(len(u) for _, u in py.values())
    for n in diff[:10]:
        print("differs: %s python=%s rust=%s" % (n, py.get(n), rs.get(n)), file=sys.stderr)
    if diff:
        print("DAG comparison: %d of %d tasks differ between Ploomber and soopervisor inspect" % (len(diff), len(py)))
        sys.exit(1)
    print(
        "DAG comparison: Ploomber (lazy load) and `soopervisor inspect` agree on all %d tasks, "
        "their classes and %d upstream edges." % (len(py), edges)
    )


if __name__ == "__main__":
    main()
