"""Fill the personal-data placeholders of hand-written posts with generated numbers.

Writers cannot compute checksums by hand, so they write ``{{IBAN}}``, ``{{CARD}}``... and this
module replaces each with a number that is valid (or, for the ``_BAD`` decoys, deliberately
invalid), deterministically from a seeded ``random.Random``. Used by the corpus and demo build
scripts only; the product never imports it. Checksums come from python-stdnum.
"""
from __future__ import annotations

import random
import re

from stdnum import iban as std_iban
from stdnum import luhn

PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
KIND = {"IBAN": "iban", "IBAN_SPACED": "iban", "IBAN_DE": "iban", "IBAN_ES": "iban", "IBAN_BE": "iban",
        "CARD": "card_number", "CARD_SPACED": "card_number", "RIB": "account_number",
        "PHONE_FR": "phone", "PHONE_INTL": "phone", "EMAIL": "email", "NIR": "nir",
        "CARD_BAD": None, "IBAN_BAD": None}
FIRST = ["julie", "marc", "sophie", "k.martin", "nadia", "thomas", "lea", "yanis", "camille", "hugo"]
DOMAINS = ["gmail.com", "hotmail.fr", "orange.fr", "free.fr", "yahoo.fr", "laposte.net", "outlook.fr"]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _groups(s: str, size: int = 4) -> str:
    return " ".join(s[i:i + size] for i in range(0, len(s), size))


def _rib_key(bank: str, branch: str, account: str) -> str:
    # RIB key: 97 - ((89*bank + 15*branch + 3*account) mod 97); letters map to digits (none here).
    key = 97 - ((89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97)
    return f"{key:02d}"


def _iban(country: str, bban: str) -> str:
    check = std_iban.calc_check_digits(country + "00" + bban)
    return country + check + bban


def _fr_bban(rng: random.Random) -> str:
    bank, branch, account = _digits(rng, 5), _digits(rng, 5), _digits(rng, 11)
    return bank + branch + account + _rib_key(bank, branch, account)


def _es_bban(rng: random.Random) -> str:
    # Spanish CCC: two control digits over (bank+branch) and over the account number.
    weights = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6]
    bank_branch, account = _digits(rng, 8), _digits(rng, 10)

    def control(digits: str) -> str:
        value = 11 - sum(int(d) * w for d, w in zip(digits.rjust(10, "0"), weights)) % 11
        return "1" if value == 10 else "0" if value == 11 else str(value)

    return bank_branch + control("00" + bank_branch) + control(account) + account


def _card(rng: random.Random) -> str:
    body = rng.choice(["4", "5", "4", "5", "37"]) + _digits(rng, 14)
    body = body[:15]
    return body + luhn.calc_check_digit(body)


def _nir(rng: random.Random) -> str:
    sex, yy, mm = rng.choice("12"), f"{rng.randint(40, 99):02d}", f"{rng.randint(1, 12):02d}"
    dep, commune, order = f"{rng.randint(1, 95):02d}", f"{rng.randint(1, 990):03d}", f"{rng.randint(1, 999):03d}"
    body = sex + yy + mm + dep + commune + order
    key = 97 - int(body) % 97
    return f"{body} {key:02d}" if rng.random() < 0.5 else body + f"{key:02d}"


def make(name: str, rng: random.Random) -> str:
    """One value for placeholder ``name``."""
    if name in ("IBAN", "IBAN_SPACED"):
        value = _iban("FR", _fr_bban(rng))
        return _groups(value) if name == "IBAN_SPACED" else value
    if name == "IBAN_DE":
        return _groups(_iban("DE", _digits(rng, 18)))
    if name == "IBAN_ES":
        return _groups(_iban("ES", _es_bban(rng)))
    if name == "IBAN_BE":
        while True:  # stdnum also checks Belgian bank codes: draw until a registered one comes up
            body = _digits(rng, 10)
            value = _iban("BE", body + f"{int(body) % 97 or 97:02d}")
            if std_iban.is_valid(value):
                return _groups(value)
    if name == "IBAN_BAD":
        good = _iban("FR", _fr_bban(rng))
        bad_check = f"{(int(good[2:4]) + rng.randint(1, 50)) % 97 + 2:02d}"
        return _groups(good[:2] + bad_check + good[4:])
    if name in ("CARD", "CARD_SPACED"):
        value = _card(rng)
        return _groups(value) if name == "CARD_SPACED" else value
    if name == "CARD_BAD":
        value = _card(rng)
        return _groups(value[:-1] + str((int(value[-1]) + rng.randint(1, 9)) % 10))
    if name == "RIB":
        b = _fr_bban(rng)
        return f"{b[:5]} {b[5:10]} {b[10:21]} {b[21:]}"
    if name == "PHONE_FR":
        return rng.choice(["06", "07"]) + " " + " ".join(_digits(rng, 2) for _ in range(4))
    if name == "PHONE_INTL":
        return "+33 " + rng.choice("67") + " " + " ".join(_digits(rng, 2) for _ in range(4))
    if name == "EMAIL":
        return f"{rng.choice(FIRST)}{rng.randint(1, 99)}@{rng.choice(DOMAINS)}"
    if name == "NIR":
        return _nir(rng)
    raise KeyError(f"unknown placeholder {{{{{name}}}}}")


def fill(text: str, rng: random.Random) -> str:
    """Replace every placeholder of ``text`` with a generated value."""
    return PLACEHOLDER.sub(lambda m: make(m.group(1), rng), text)
