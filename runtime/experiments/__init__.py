"""A/B experiments: the statistics, the report, adopting a winner and rehearsals.
Who sees which variant is runtime/assignments.py, below the dialogue that asks it."""
