"""Incidents: the alerts and posts of one crisis, with a timeline and a holding statement.

A crisis alert (warning or critical) about a bank joins that bank's open incident when the
incident was updated less than ``incident_gap_hours`` before; otherwise it opens a new one. Info
alerts (a positive buzz, a sponsorship) never make an incident. The holding statement is a short
French text for the inbox's shared answer, from a template per kind of crisis with the bank's
name; it is a **draft**: someone of the communication team approves it before anyone publishes it.

Imports ``core.alert``, ``analytics.settings`` and the standard library.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from veilleur.analytics.settings import WatchSettings
from veilleur.core.alert import Alert, AlertKind, Incident, IncidentState, Severity, TimelineEntry

DRAFT = "[BROUILLON – à valider avant publication]"
SITUATIONS = {
    "rumor": ("des informations inexactes circulent au sujet de {bank}",
              "{bank} est solide et vos dépôts sont disponibles et protégés. Fiez-vous uniquement à nos canaux "
              "officiels et ne relayez pas ces messages."),
    "digital": ("certains clients rencontrent des difficultés pour accéder à l'application et au site de {bank}",
                "Nos équipes techniques sont mobilisées pour rétablir le service au plus vite. Vos comptes et "
                "vos fonds ne sont pas concernés."),
    "fraud_security": ("des messages frauduleux (SMS, e-mails, appels) se réclamant de {bank} circulent",
                       "{bank} ne vous demandera jamais vos codes, mots de passe ou une validation d'opération "
                       "par message. Ne cliquez pas sur les liens et signalez ces messages."),
    "cards": ("certains clients rencontrent des difficultés de paiement par carte avec {bank}",
              "Nos équipes analysent la situation ; nous vous tiendrons informés ici même."),
}
TOPIC_WORDS = {"cards": "des cartes", "transfers": "des virements", "accounts_fees": "des frais de compte",
               "digital": "de nos services en ligne", "loans": "des crédits", "savings": "de l'épargne",
               "insurance": "des assurances", "branch_advisor": "de nos agences", "customer_service":
               "de notre service client", "jobs": "de l'emploi", "csr_sponsorship": "de nos partenariats"}
GENERIC = ("nous avons connaissance de nombreux messages au sujet {topic} chez {bank}",
           "Nos équipes analysent la situation et reviennent vers vous très vite avec des informations vérifiées.")


def holding_statement(bank: str | None, topic: str | None) -> str:
    """The draft holding statement for a crisis of ``topic`` ("rumor" for rumours) about ``bank``."""
    name = bank or "notre banque"
    situation, reassurance = SITUATIONS.get(topic or "", GENERIC)
    about = TOPIC_WORDS.get(topic or "", "de nos services")
    text = (f"{DRAFT} Bonjour, {situation.format(bank=name, topic=about)}. "
            f"{reassurance.format(bank=name)} Nous reviendrons vers vous ici dès que possible. — L'équipe {name}")
    return text


def alert_topic(alert: Alert) -> str | None:
    if alert.kind == AlertKind.RUMOR_CLUSTER:
        return "rumor"
    details = alert.explanation.details
    return details.get("topic") or (alert.subject.split("topic=", 1)[1] if "topic=" in alert.subject else None)


class IncidentBook:
    """Gathers crisis alerts into incidents, per bank, by closeness in time."""

    def __init__(self, settings: WatchSettings, open_incidents: list[Incident] | None = None):
        self.gap = timedelta(hours=settings.incident_gap_hours)
        self.open: dict[str | None, Incident] = {i.bank: i for i in open_incidents or [] if i.state == "open"}
        self.touched: dict[int, Incident] = {}

    def add(self, alert: Alert, is_new: bool, at: datetime) -> Incident | None:
        """File a new or merged alert (saved, with its id) into its bank's incident."""
        if not alert.severity.is_crisis:
            return None
        incident = self.open.get(alert.bank)
        if incident is None or at - incident.updated_at > self.gap:
            topic = alert_topic(alert)
            incident = Incident(bank=alert.bank, entity=alert.entity, topic=topic,
                                title=f"Crise {alert.bank or ''} : {alert.title}", severity=alert.severity,
                                opened_at=at, updated_at=at, holding_statement=holding_statement(alert.bank, topic))
            self.open[alert.bank] = incident
        if alert.id is not None and alert.id not in incident.alert_ids:
            incident.alert_ids.append(alert.id)
        if is_new or alert.id not in {t.alert_id for t in incident.timeline}:
            first = alert.post_ids[0] if alert.post_ids else None
            incident.timeline.append(TimelineEntry(at, f"alerte : {alert.title} — {alert.explanation.sentence()}",
                                                   alert.id, first))
        known = set(incident.post_ids)
        incident.post_ids.extend(p for p in alert.post_ids if p not in known)
        incident.updated_at = at
        if alert.severity.rank > incident.severity.rank:
            incident.severity = Severity(alert.severity)
        alert.incident_id = incident.id
        self.touched[id(incident)] = incident
        return incident

    def drain(self) -> list[Incident]:
        changed = list(self.touched.values())
        self.touched.clear()
        return changed


def close(incident: Incident, at: datetime, by: str) -> Incident:
    """Close an incident, with a line in its timeline."""
    incident.state = IncidentState.CLOSED
    incident.closed_at = at
    incident.updated_at = at
    incident.timeline.append(TimelineEntry(at, f"clôturé par {by}"))
    return incident
