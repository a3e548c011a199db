"""Compliance guardrails: the reply policy on outgoing texts, the audit journal, personal-data rights."""
