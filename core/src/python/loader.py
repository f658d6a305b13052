# soopervisor's Python loader: the ONE place soopervisor runs user code.
#
# Run by core/src/python/mod.rs as `PYTHON -c <this file> REPLY ENTRY WANT_STATUS`
# in the project's working folder, only when static analysis cannot read the project
# (a `location:` factory, a dotted-path or `package::file` entry point) or when
# `export --mode incremental --exact` asks Ploomber which tasks would run.
#
#   REPLY        file to write the answer to (user code may print to stdout)
#   ENTRY        the entry point, as `ploomber build --entry-point` takes it
#   WANT_STATUS  "1": also render the DAG and report the tasks `ploomber build`
#                would run (status not Skipped); "0": do not render
#
# The answer is one JSON object, either
#   {"ploomber": VERSION, "tasks": [TASK, ...], "would_run": [NAME, ...] | null}
# with TASK = {"name", "class", "product_class", "source": {"file"|"dotted": str},
#              "upstream": [str], "product": PRODUCT, "params": {...}}
# and PRODUCT = {"file": path} | {"relation": {"schema", "name", "kind"}}
#             | {"map": [[key, PRODUCT], ...]} | {"other": str}
# (paths as Ploomber resolved them: absolute, or relative to the working folder), or
#   {"error": {"stage", "type", "message", "missing_module", "frame"}}
# where stage is "import-ploomber", "load" or "status" and frame is the innermost
# exception's last traceback frame {"file", "line", "function", "code"}.
import json
import sys
import traceback


def innermost(exc):
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        nxt = exc.__cause__ or exc.__context__
        if nxt is None:
            break
        exc = nxt
    return exc


def failure(stage, exc):
    inner = innermost(exc)
    frames = traceback.extract_tb(inner.__traceback__)
    frame = None
    if frames:
        f = frames[-1]
        frame = {"file": f.filename, "line": f.lineno, "function": f.name,
                 "code": f.line or ""}
    message = str(exc)
    if inner is not exc and str(inner) and str(inner) not in message:
        message = message + " (caused by " + type(inner).__name__ + ": " + str(inner) + ")"
    missing = inner.name if isinstance(inner, ModuleNotFoundError) else None
    return {"error": {"stage": stage, "type": type(inner).__name__,
                      "message": message, "missing_module": missing, "frame": frame}}


def load_dag(entry):
    from ploomber.entrypoint import EntryPoint
    from ploomber.spec import DAGSpec

    kind = EntryPoint(entry).type
    if kind == EntryPoint.Directory:
        return DAGSpec.from_directory(entry).to_dag()
    if kind == EntryPoint.Pattern:
        return DAGSpec.from_files(entry).to_dag()
    if kind == EntryPoint.ModulePath:
        from ploomber.cli.parsers import _path_for_module_path
        return DAGSpec(_path_for_module_path(entry)).to_dag()
    if kind == EntryPoint.DottedPath:
        from ploomber.util.dotted_path import load_dotted_path
        # as `ploomber build --entry-point a.b.make` with no extra arguments
        return load_dotted_path(entry, raise_=True)()
    return DAGSpec(entry).to_dag()


def jsonable(value):
    import datetime
    from pathlib import PurePath

    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        items = [jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set) else items
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def product_of(product):
    from ploomber.products import File, MetaProduct

    if isinstance(product, MetaProduct):
        return {"map": [[k, product_of(p)] for k, p in product.products.products.items()]}
    if isinstance(product, File):
        return {"file": str(product)}
    if hasattr(product, "name") and hasattr(product, "kind"):
        return {"relation": {"schema": product.schema, "name": product.name,
                             "kind": str(product.kind)}}
    return {"other": str(product)}


def product_class(product):
    from ploomber.products import MetaProduct

    if isinstance(product, MetaProduct):
        inner = list(product.products.products.values())
        return type(inner[0]).__name__ if inner else "MetaProduct"
    return type(product).__name__


def source_of(task):
    from ploomber.tasks import PythonCallable

    if isinstance(task, PythonCallable):
        loader = task.source._callable_loader
        return {"dotted": loader._primitive if loader.from_dotted_path else loader.name}
    loc = task.source.loc
    return {"file": str(loc if loc is not None else task.source)}


def describe(task):
    params = {k: v for k, v in task.params.to_dict().items()
              if k not in ("product", "upstream")}
    return {"name": task.name, "class": type(task).__name__,
            "product_class": product_class(task.product),
            "source": source_of(task), "upstream": sorted(task.upstream),
            "product": product_of(task.product), "params": jsonable(params)}


def main(reply_path, entry, want_status):
    def reply(obj):
        with open(reply_path, "w", encoding="utf-8") as f:
            json.dump(obj, f)

    try:
        import ploomber
    except BaseException as exc:  # noqa: B036 - any failure to import is reported
        return reply(failure("import-ploomber", exc))
    try:
        import contextlib
        import warnings

        with warnings.catch_warnings(), contextlib.redirect_stdout(sys.stderr):
            warnings.simplefilter("ignore")
            dag = load_dag(entry)
            names = list(dag)  # the topological order, as `ploomber status` walks it
            tasks = [describe(dag[name]) for name in names]
    except BaseException as exc:  # noqa: B036
        return reply(failure("load", exc))
    would_run = None
    if want_status == "1":
        try:
            from ploomber.constants import TaskStatus

            with contextlib.redirect_stdout(sys.stderr):
                dag.render()
            would_run = [n for n in names if dag[n].exec_status != TaskStatus.Skipped]
        except BaseException as exc:  # noqa: B036
            return reply(failure("status", exc))
    reply({"ploomber": ploomber.__version__, "tasks": tasks, "would_run": would_run})


main(*sys.argv[1:4])
