#!/usr/bin/env python3
"""Helpers for .ci/checks/50-kubeflow.sh, run with the kfp venv's Python (PyYAML,
protobuf and the kfp SDK installed by ../shared/engines/kfp-check.sh).

  kfp_tools.py expect PIPELINE.yaml PLOOMBER_DAG.json
      Prints the DAG kfp-check.sh --expect wants ({"KFP task": ["KFP task", ...]}),
      translating Ploomber's DAG (tests/expected/NAME.json: {"tasks": {NAME:
      {"upstream": [...]}}}, or a plain {NAME: [...]}) through the pipeline's own
      name map: each task's executor carries the exact Ploomber name in PLOOMBER_TASK.
      Fails unless every Ploomber task has exactly one KFP task.

  kfp_tools.py strict PIPELINE.yaml
      Parses what the PipelineSpec proto leaves as free-form structs, strictly:
      every deploymentSpec executor as ml_pipelines.PipelineDeploymentConfig.ExecutorSpec
      and, when kfp-kubernetes is importable, every platform executor as
      kfp_kubernetes.KubernetesExecutorConfig (unknown fields are errors).

  kfp_tools.py calls CALLS PLOOMBER_DAG.json [--failed TASK]
      Checks the calls a stand-in `ploomber` recorded (one line per call, argv
      NUL-separated, the working folder first): each call is `task NAME ...`, every
      task ran exactly once and after all its upstream tasks. With --failed TASK,
      TASK ran and none of the tasks downstream of it did.
"""
import json
import sys

import yaml
from google.protobuf import json_format


def load_docs(path):
    with open(path) as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    return docs[0], (docs[1] if len(docs) > 1 else None)


def ploomber_dag(path):
    with open(path) as f:
        data = json.load(f)
    if "tasks" in data and isinstance(data["tasks"], dict):
        return {n: sorted(t.get("upstream", [])) for n, t in data["tasks"].items()}
    return {n: sorted(u) for n, u in data.items()}


def name_map(spec):
    """Ploomber name -> KFP task key, from each executor's PLOOMBER_TASK."""
    executors = spec["deploymentSpec"]["executors"]
    out = {}
    for key, task in spec["root"]["dag"]["tasks"].items():
        comp = spec["components"][task["componentRef"]["name"]]
        env = executors[comp["executorLabel"]]["container"].get("env", [])
        names = [e["value"] for e in env if e["name"] == "PLOOMBER_TASK"]
        if len(names) != 1:
            sys.exit(f"task {key}: expected one PLOOMBER_TASK, got {names}")
        if names[0] in out:
            sys.exit(f"Ploomber task {names[0]!r} has two KFP tasks: {out[names[0]]}, {key}")
        out[names[0]] = key
    return out


def expect(pipeline, dag_file):
    spec, _ = load_docs(pipeline)
    names = name_map(spec)
    dag = ploomber_dag(dag_file)
    if set(names) != set(dag):
        sys.exit(f"tasks differ: missing={sorted(set(dag) - set(names))} extra={sorted(set(names) - set(dag))}")
    print(json.dumps({names[n]: sorted(names[u] for u in ups) for n, ups in dag.items()}, indent=1))


def strict(pipeline):
    from kfp.pipeline_spec import pipeline_spec_pb2 as ps
    spec, platform = load_docs(pipeline)
    problems = []
    for label, ex in spec["deploymentSpec"]["executors"].items():
        try:
            json_format.ParseDict(ex, ps.PipelineDeploymentConfig.ExecutorSpec())
        except json_format.ParseError as e:
            problems.append(f"executor {label}: {e}")
    checked = "no platform spec"
    if platform is not None:
        try:
            from kfp.kubernetes import kubernetes_executor_config_pb2 as k8s
        except ImportError:
            k8s = None
            checked = "platform spec not checked (kfp-kubernetes not importable)"
        if k8s is not None:
            execs = platform["platforms"]["kubernetes"]["deploymentSpec"]["executors"]
            for label, cfg in execs.items():
                try:
                    json_format.ParseDict(cfg, k8s.KubernetesExecutorConfig())
                except json_format.ParseError as e:
                    problems.append(f"platform executor {label}: {e}")
            checked = f"{len(execs)} platform executors"
    for p in problems:
        print(f"KFP STRICT ERROR: {p}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"KFP STRICT OK: {len(spec['deploymentSpec']['executors'])} executors, {checked}")


def calls(calls_file, dag_file, failed=None):
    dag = ploomber_dag(dag_file)
    with open(calls_file, "rb") as f:
        raw = f.read().decode()
    ran = []
    for line in raw.split("\0\n"):
        if not line:
            continue
        argv = line.split("\0")[1:]  # [0] is the working folder
        if len(argv) < 2 or argv[0] != "task":
            sys.exit(f"unexpected ploomber call: {argv!r}")
        if argv[1] not in dag:
            sys.exit(f"ploomber ran {argv[1]!r}, which is not a task of the pipeline (exact names: {sorted(dag)!r})")
        ran.append(argv[1])
    problems = []
    for n in set(ran):
        if ran.count(n) != 1:
            problems.append(f"{n!r} ran {ran.count(n)} times")
    for i, n in enumerate(ran):
        for u in dag[n]:
            if u not in ran[:i]:
                problems.append(f"{n!r} ran before its upstream {u!r}")
    if failed is None:
        missing = sorted(set(dag) - set(ran))
        if missing:
            problems.append(f"never ran: {missing!r}")
    else:
        if failed not in ran:
            problems.append(f"the failing task {failed!r} did not run")
        down, frontier = set(), {failed}
        while frontier:
            frontier = {n for n, ups in dag.items() if set(ups) & frontier} - down
            down |= frontier
        for n in sorted(down & set(ran)):
            problems.append(f"{n!r} ran although its upstream {failed!r} failed")
    for p in problems:
        print(f"KFP CALLS ERROR: {p}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"KFP CALLS OK: {len(ran)} of {len(dag)} tasks ran once, each after its upstream"
          + (f"; nothing downstream of {failed!r} ran" if failed else ""))


def main(argv):
    if len(argv) >= 3 and argv[0] == "expect":
        return expect(argv[1], argv[2])
    if len(argv) == 2 and argv[0] == "strict":
        return strict(argv[1])
    if len(argv) in (3, 5) and argv[0] == "calls":
        failed = argv[4] if len(argv) == 5 and argv[3] == "--failed" else None
        return calls(argv[1], argv[2], failed)
    print(__doc__, file=sys.stderr)
    sys.exit(2)


if __name__ == "__main__":
    main(sys.argv[1:])
