# %% tags=["parameters"]
upstream = None
product = None
alpha = None
l1_ratio = None

# %%
print("hello")
