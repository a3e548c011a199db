"""veilleur: a self-hosted social-media command centre for banks."""

__version__ = "0.1.0"
