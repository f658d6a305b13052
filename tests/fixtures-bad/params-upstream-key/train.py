# %% tags=["parameters"]
upstream = ['ingest']
product = None

# %%
print("hello")
