# %% tags=["parameters"]
upstream = ['ingest'
product = None

# %%
print(1)
