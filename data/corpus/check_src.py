"""Validate a hand-written corpus source file against labels.md (run by corpus writers)."""
import json
import re
import sys

import build  # the same duplicate key as the build (this script runs from data/corpus/)

SENT = {"negative", "neutral", "positive"}
INTENT = {"question", "complaint", "praise", "suggestion", "abuse", "rumor", "information", "other"}
TOPICS = {"cards", "transfers", "accounts_fees", "digital", "loans", "savings", "insurance",
          "fraud_security", "branch_advisor", "customer_service", "jobs", "csr_sponsorship"}
URG = {"high", "normal", "low"}
PII = {"iban", "card_number", "account_number", "phone", "email", "nir", "birth_date", "postal_address"}
PLATFORMS = {"x", "facebook", "instagram", "linkedin", "mastodon", "bluesky", "app_store", "google_play",
             "forum", "trustpilot", "youtube", "tiktok", "reddit"}
BANKS = {"BNP Paribas", "Société Générale", "Crédit Agricole", "LCL", "Crédit Mutuel", "CIC",
         "La Banque Postale", "Caisse d'Épargne", "Banque Populaire", "BoursoBank", "Hello bank!",
         "Fortuneo", "Monabanq", "Ma French Bank", "Nickel", "Revolut", "N26", "Shine", "Qonto",
         "Orange Bank", "Crédit Coopératif", "HSBC", "AXA Banque", "BforBank", "Sumeria",
         "Trade Republic", "Younited", None}
PLACEHOLDER_KIND = {"IBAN": "iban", "IBAN_SPACED": "iban", "IBAN_DE": "iban", "IBAN_ES": "iban",
                    "IBAN_BE": "iban", "CARD": "card_number", "CARD_SPACED": "card_number",
                    "RIB": "account_number", "PHONE_FR": "phone", "PHONE_INTL": "phone",
                    "EMAIL": "email", "NIR": "nir", "CARD_BAD": None, "IBAN_BAD": None}


def check(path):
    errors, seen = [], set()
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"{path}:{n}: bad JSON: {e}")
            continue
        def err(msg):
            errors.append(f"{path}:{n}: {msg}")
        t = r.get("text")
        if not isinstance(t, str) or not t.strip():
            err("empty text"); continue
        key = build.key(t)
        if key in seen:
            err("duplicate text")
        seen.add(key)
        if r.get("platform") not in PLATFORMS: err(f"platform {r.get('platform')!r}")
        if r.get("sentiment") not in SENT: err(f"sentiment {r.get('sentiment')!r}")
        if r.get("intent") not in INTENT: err(f"intent {r.get('intent')!r}")
        if not isinstance(r.get("topics"), list) or set(r["topics"]) - TOPICS: err(f"topics {r.get('topics')!r}")
        if not isinstance(r.get("abusive"), bool): err("abusive must be true/false")
        if r.get("urgency") not in URG: err(f"urgency {r.get('urgency')!r}")
        if not isinstance(r.get("pii"), list) or set(r["pii"]) - PII: err(f"pii {r.get('pii')!r}")
        if r.get("bank", "missing") not in BANKS: err(f"bank {r.get('bank')!r}")
        i, u = r.get("intent"), r.get("urgency")
        if i in {"praise", "information", "other", "abuse"} and u != "low": err("urgency must be low for this intent")
        if i in {"question", "complaint", "rumor", "suggestion"} and u == "low": err("urgency cannot be low for this intent")
        if u == "high" and i not in {"question", "complaint"}: err("high urgency only for question/complaint")
        for ph in re.findall(r"\{\{(\w+)\}\}", t):
            if ph not in PLACEHOLDER_KIND: err(f"unknown placeholder {ph}")
            elif PLACEHOLDER_KIND[ph] and PLACEHOLDER_KIND[ph] not in r.get("pii", []):
                err(f"placeholder {ph} needs pii {PLACEHOLDER_KIND[ph]}")
    return errors


if __name__ == "__main__":
    total = 0
    for p in sys.argv[1:]:
        errs = check(p)
        total += len(errs)
        print("\n".join(errs[:200]))
        print(f"{p}: {sum(1 for l in open(p, encoding='utf-8') if l.strip())} posts, {len(errs)} errors")
    sys.exit(1 if total else 0)
