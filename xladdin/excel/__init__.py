"""Excel entry points: worksheet formulas (UDFs), ribbon buttons and the add-in build."""
