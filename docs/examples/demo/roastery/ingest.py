import numpy as np
import pandas as pd

ORIGINS = ["Ethiopia", "Colombia", "Kenya", "Brazil", "Guatemala"]
PROCESSES = ["washed", "natural", "honey"]


def get_beans(product, n_lots):
    """Simulate n_lots green coffee lots offered by importers."""
    rng = np.random.default_rng(0)
    df = pd.DataFrame({
        "lot": range(n_lots),
        "origin": rng.choice(ORIGINS, n_lots),
        "process": rng.choice(PROCESSES, n_lots),
        "altitude_m": rng.integers(900, 2300, n_lots),
        "cup_score": rng.normal(84, 2, n_lots).round(2),
        "acidity": rng.uniform(6, 9, n_lots).round(2),
        "body": rng.uniform(6, 9, n_lots).round(2),
    })
    df["price_per_kg"] = (2 + 0.004 * df.altitude_m + 0.6 * (df.cup_score - 80)
                          + rng.normal(0, 0.5, n_lots)).round(2)
    df.to_csv(str(product), index=False)
