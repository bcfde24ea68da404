"""The pure domain: no Qt, no database, no clock, no I/O beyond reading packaged data."""
