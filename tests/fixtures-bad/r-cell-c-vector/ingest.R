# %% tags=["parameters"]
upstream <- NULL
product <- NULL

# %%
print(1)
