"""Jobs: whole tasks (validate, consolidate, summary) run on any ``Engine``; engine-agnostic."""
