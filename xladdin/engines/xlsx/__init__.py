"""The xlsx package beneath the engines: zip members, sheet XML patches, charts, fast reads, risks."""
