"""The factory the entry point `my_package.pipeline.make` names (the layout of
Ploomber's ML-advanced template: a DAG built in Python, no pipeline.yaml)."""
from pathlib import Path

from ploomber import DAG
from ploomber.products import File
from ploomber.tasks import NotebookRunner, PythonCallable

from my_package import tasks


def make():
    dag = DAG()
    load = PythonCallable(tasks.load, File("output/load.csv"), dag=dag,
                          name="load", params={"rows": 5})
    double = PythonCallable(tasks.double, File("output/double.csv"), dag=dag,
                            name="double")
    report = NotebookRunner(Path("scripts/report.py"),
                            {"nb": File("output/report.ipynb"),
                             "summary": File("output/summary.txt")},
                            dag=dag, name="report", kernelspec_name="python3",
                            params={"title": "Doubles"})
    load >> double >> report
    return dag
