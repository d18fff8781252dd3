"""Read models built by projections from the halls' event logs (exactly once, rebuildable)."""
