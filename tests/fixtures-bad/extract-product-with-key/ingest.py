# %% tags=["parameters"]
upstream = None
product = "out/ingest.ipynb"

# %%
print(1)
