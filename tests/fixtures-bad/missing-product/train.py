# %% tags=["parameters"]
upstream = ['ingest']
product = None
epochs = 1

# %%
print("hello")
