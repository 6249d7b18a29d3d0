"""The young person's own words and work: given from their phone (or by their advocate,
speaking for them), checked, kept, and put first wherever an item is shown."""
