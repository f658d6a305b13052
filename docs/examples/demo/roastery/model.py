import json
import pickle

import pandas as pd
from sklearn.linear_model import Ridge
from sklearn.model_selection import cross_val_score


def train(product, upstream, alpha):
    """Fan-in: join both feature sets and fit a ridge regression."""
    price = pd.read_parquet(upstream['price_features']['data'])
    flavor = pd.read_parquet(upstream['flavor_features']['data'])
    df = price.join(flavor, on="lot", rsuffix="_flavor")
    X = df.drop(columns=["lot", "price_per_kg"])
    y = df.price_per_kg
    model = Ridge(alpha=alpha)
    scores = cross_val_score(model, X, y, cv=5, scoring="r2")
    model.fit(X, y)

    with open(product['model'], 'wb') as f:
        pickle.dump(model, f)
    with open(product['metrics'], 'w') as f:
        json.dump({"r2_mean": float(scores.mean()), "n": int(len(df))}, f)
