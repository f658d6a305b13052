"""Checks of exported Airflow DAG files with CPython and Airflow (used by
.ci/checks/30-airflow.sh).

  expect DAG.py INSPECT.json OUT.json
      Reads DAG.py with CPython's own parser (no Airflow needed), checks that the keys
      of its TASK_IDS map are exactly the Ploomber task names `soopervisor inspect
      --format json` lists (every string literal read back by CPython), and writes the
      expected graph for airflow-check.sh --expect: {DAG_ID: {TASK_ID: [UPSTREAM_ID]}}.

  render DAG.py...   (run with an Airflow venv's python)
      Loads each file with Airflow's DagBag, renders every task's templated fields the
      way a worker does, and checks that the task name each task receives
      (PLOOMBER_TASK) is exactly the Ploomber name TASK_IDS maps to its task id, and
      that the rendered script and folder hold no leftover of our Jinja escapes.
"""

import ast
import json
import sys
import warnings


def module_constants(path):
    tree = ast.parse(open(path, encoding="ascii").read(), path)
    consts, dag_id = {}, None
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            try:
                consts[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
        if isinstance(node, ast.With):
            call = node.items[0].context_expr
            for kw in call.keywords:
                if kw.arg == "dag_id":
                    dag_id = ast.literal_eval(kw.value)
    return consts, dag_id


def expect(dag_path, inspect_path, out_path):
    consts, dag_id = module_constants(dag_path)
    ids = consts["TASK_IDS"]
    tasks = json.load(open(inspect_path))["tasks"]
    if set(ids) != set(tasks):
        sys.exit(f"{dag_path}: TASK_IDS keys {sorted(ids)} != Ploomber names {sorted(tasks)}")
    graph = {ids[n]: sorted(ids[u] for u in t["upstream"]) for n, t in tasks.items()}
    json.dump({dag_id: graph}, open(out_path, "w"), indent=1)


def render(paths):
    warnings.simplefilter("ignore")
    try:
        from airflow.dag_processing.dagbag import DagBag  # Airflow >= 3.1

        kwargs = {}
    except ImportError:
        from airflow.models.dagbag import DagBag  # Airflow 2.x

        kwargs = {"include_examples": False}
    bad = 0
    for path in paths:
        consts, dag_id = module_constants(path)
        names = {v: k for k, v in consts["TASK_IDS"].items()}
        bag = DagBag(dag_folder=path, safe_mode=False, **kwargs)
        if bag.import_errors:
            print(f"{path}: import errors {bag.import_errors}")
            bad = 1
            continue
        dag = bag.dags[dag_id]
        for task in dag.tasks:
            task.render_template_fields({"ds": "RENDERED", "dag": dag, "task": task})
            env = getattr(task, "env", None) or getattr(task, "environment", None)
            if env is None:  # KubernetesPodOperator: V1EnvVar objects after rendering
                env = {e.name: e.value for e in task.env_vars}
            got = env["PLOOMBER_TASK"]
            if got != names[task.task_id]:
                print(f"{path}: task {task.task_id!r} receives {got!r}, not {names[task.task_id]!r}")
                bad = 1
            texts = [getattr(task, f, None) for f in ("bash_command", "cwd")]
            texts += list(getattr(task, "arguments", None) or [])
            texts += list(getattr(task, "command", None) or [])
            for text in texts:
                if isinstance(text, str) and ("{{ '" in text or "RENDERED" in text):
                    print(f"{path}: task {task.task_id!r}: a template was left or expanded: {text!r}")
                    bad = 1
        print(f"rendered {len(dag.tasks)} tasks of {dag_id} ({path})")
    sys.exit(bad)


if __name__ == "__main__":
    if sys.argv[1] == "expect":
        expect(*sys.argv[2:5])
    elif sys.argv[1] == "render":
        render(sys.argv[2:])
    else:
        sys.exit(f"usage: {sys.argv[0]} expect DAG.py INSPECT.json OUT.json | render DAG.py...")
