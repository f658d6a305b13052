# %% tags=["parameters"]
upstream = ['fit-*']  # also matches fit-ensemble itself
product = None

# %%
print("hello")
