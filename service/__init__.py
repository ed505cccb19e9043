"""pullcoach: a local conversation coach. This package holds the I/O adapters and the CLI."""

__version__ = "0.1.0"
