# %% tags=["parameters"]
upstream = None
product = None
title = None

# %%
from pathlib import Path

values = Path(upstream["double"]).read_text().split()[1:]
Path(product["summary"]).write_text(f"{title}: {sum(int(v) for v in values)}\n")
