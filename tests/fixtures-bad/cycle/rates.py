# %% tags=["parameters"]
upstream = ['prices']
product = None

# %%
print("hello")
