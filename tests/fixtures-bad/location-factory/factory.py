from pathlib import Path

from ploomber import DAG
from ploomber.products import File
from ploomber.tasks import PythonCallable


def _hello(product):
    Path(product).write_text('hello')


def make_dag():
    dag = DAG()
    PythonCallable(_hello, File('out/hello.txt'), dag=dag)
    return dag
