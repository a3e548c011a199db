"""The analytics room: « la veille » (measures, e-reputation, weak signals, alerts, reports)."""
