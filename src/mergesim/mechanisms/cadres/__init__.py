"""The cadres mechanism."""
