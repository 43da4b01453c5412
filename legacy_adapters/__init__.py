"""legacy_adapters."""
