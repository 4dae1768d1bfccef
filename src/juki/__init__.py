"""juki: Japan's resident registry and My Number infrastructure, runnable."""

__version__ = "0.1.0"
