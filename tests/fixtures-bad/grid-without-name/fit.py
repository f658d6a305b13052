# %% tags=["parameters"]
upstream = None
product = None
alpha = None

# %%
print("hello")
