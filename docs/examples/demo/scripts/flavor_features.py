# %% [markdown]
# # Flavour features
# One-hot origin and process, plus the sensory scores.

# %% tags=["parameters"]
upstream = ['clean']
product = None

# %%
import pandas as pd

df = pd.read_parquet(upstream['clean']['data'])
out = pd.get_dummies(df[["lot", "origin", "process", "cup_score", "acidity", "body"]],
                     columns=["origin", "process"], dtype=int).set_index("lot")
out.to_parquet(product['data'])
