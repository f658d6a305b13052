# %% tags=["parameters"]
upstream = ['prices', 'rates']
product = None

# %%
print("hello")
