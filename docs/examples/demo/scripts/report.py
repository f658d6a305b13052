# %% [markdown]
# # Roastery report

# %% tags=["parameters"]
upstream = ['train', 'explore']
product = None

# %%
import json

metrics = json.load(open(upstream['train']['metrics']))
print(f"Cross-validated R² of the price model: {metrics['r2_mean']:.2f} "
      f"on {metrics['n']} lots")
