# %% [markdown]
# # Clean the lots
# Drops implausible cup scores and normalises the categorical columns.

# %% tags=["parameters"]
upstream = ['get_beans']
product = None

# %%
import pandas as pd

df = pd.read_csv(upstream['get_beans'])
df = df[df.cup_score.between(70, 100)]
df["origin"] = df.origin.str.lower()
df.to_parquet(product['data'])
df.describe()
