"""Resume analysis: schemas, the analysis itself and the durable-task service around it."""
