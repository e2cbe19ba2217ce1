"""The services mechanism."""
