"""Weak-signal detectors of the watch: volume bursts, sentiment shifts, emerging terms, rumours.

Each detector sees posts one at a time in time order (``observe``) and returns ``Firing``s that
say why they fired; ``engine.Watcher`` runs them all, ``analytics.alerts`` turns firings into
alerts (merge, cool-down). Detectors keep their own state in memory; they import ``core``,
``analytics.settings``, ``analytics.text``, numpy and scipy only.
"""
