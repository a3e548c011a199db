"""The analysis pipeline: stages that turn a Post into an Analysis. Imports ``core``, ``errors``, ``settings``."""
