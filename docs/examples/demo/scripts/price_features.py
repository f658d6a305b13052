# %% [markdown]
# # Price features
# Altitude bands and the target column.

# %% tags=["parameters"]
upstream = ['clean']
product = None

# %%
import pandas as pd

df = pd.read_parquet(upstream['clean']['data'])
out = pd.DataFrame({
    "lot": df.lot,
    "altitude_km": df.altitude_m / 1000,
    "high_grown": (df.altitude_m > 1500).astype(int),
    "price_per_kg": df.price_per_kg,
})
out.to_parquet(product['data'])
