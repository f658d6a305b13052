# %% tags=["parameters"]
upstream <- c("ingest")
product <- NULL

# %%
print(1)
