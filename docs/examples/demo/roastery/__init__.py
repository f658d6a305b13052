"""Functions used by the roastery demo pipeline."""
