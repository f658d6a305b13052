# %%
print("setup")

# %% tags=["parameters"]
upstream = None
product = None
