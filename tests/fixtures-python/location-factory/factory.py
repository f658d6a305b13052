"""A DAG built by a Python factory (spec: `location: factory.make_dag`)."""
from pathlib import Path

from ploomber import DAG
from ploomber.products import File
from ploomber.tasks import PythonCallable


def _hello(product):
    Path(product).write_text('hello')


def _shout(upstream, product, times):
    Path(product).write_text(Path(upstream['_hello']).read_text().upper() * times)


def make_dag():
    dag = DAG()
    hello = PythonCallable(_hello, File('out/hello.txt'), dag=dag)
    shout = PythonCallable(_shout, File('out/shout.txt'), dag=dag,
                           params={'times': 3})
    hello >> shout
    return dag
