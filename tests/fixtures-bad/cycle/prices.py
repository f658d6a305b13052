# %% tags=["parameters"]
upstream = ['rates']
product = None

# %%
print("hello")
