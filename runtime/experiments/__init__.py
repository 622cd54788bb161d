"""A/B experiments: who sees which variant."""
