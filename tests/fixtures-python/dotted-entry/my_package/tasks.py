"""Function tasks of the dotted-entry fixture."""
from pathlib import Path


def load(product, rows):
    Path(product).parent.mkdir(parents=True, exist_ok=True)
    lines = ["x"] + [str(i) for i in range(rows)]
    Path(product).write_text("\n".join(lines) + "\n")


def double(upstream, product):
    values = Path(upstream["load"]).read_text().split()[1:]
    Path(product).write_text("x2\n" + "\n".join(str(2 * int(v)) for v in values) + "\n")
