"""One router module per feature, plus health."""
