# %% tags=["parameters"]
product = None
n_rows = 10

# %%
print(n_rows)
