"""Per control: a dataset builder (raw evidence -> tidy table) and a Great Expectations suite over it."""
