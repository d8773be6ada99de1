"""File guards beneath the engines: vetting a package before parsing, and safe in-place writes."""
