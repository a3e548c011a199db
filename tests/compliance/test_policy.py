"""The reply policy: every rule with French examples, public and private, default and per-entity policies."""
from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from veilleur.cli.main import app
from veilleur.compliance.policy import (
    PersonalDataUnavailable,
    blocks,
    check_reply,
    find_personal_data,
    personal_data_finder,
)
from veilleur.compliance.settings import ComplianceSettings, ReplyPolicy
from veilleur.core.organisation import Entity, Organisation
from veilleur.errors import ConfigError
from veilleur.settings import Settings, get_settings

HANDOFF = "Pour votre sécurité, poursuivons sur https://www.banque-exemple.fr/contact"
MENTION = ("Un crédit vous engage et doit être remboursé. "
           "Vérifiez vos capacités de remboursement avant de vous engager.")


def no_pii(text):
    return []


def check(text, channel="public", case=None, **kwargs):
    kwargs.setdefault("detector", no_pii)
    return check_reply(text, channel, case, **kwargs)


def codes(findings):
    return [f.code for f in findings]


def spans(text, findings, code):
    return [text[f.span[0]:f.span[1]] for f in findings if f.code == code]


# --- personal data in the reply (the real ``pii`` stage) ----------------------------------------------

@pytest.mark.parametrize(("text", "kind_text"), [
    ("Votre IBAN FR76 3000 6000 0112 3456 7890 189 est bien enregistré.", "FR76 3000 6000 0112 3456 7890 189"),
    ("Nous vous rappelons au 06 12 34 56 78 dans la journée.", "06 12 34 56 78"),
    ("Écrivez à jean.dupont@gmail.com pour la suite.", "jean.dupont@gmail.com"),
    ("La carte 4970 1012 3456 7893 a été mise en opposition.", "4970 1012 3456 7893"),
])
def test_personal_data_in_a_public_reply_blocks(text, kind_text):
    findings = check_reply(text, "public")
    assert "personal_data_public" in codes(findings)
    assert kind_text in spans(text, findings, "personal_data_public")
    assert blocks(findings)


def test_the_banks_public_number_is_not_personal_data():
    findings = check_reply("Pour faire opposition, appelez le 09 69 39 77 77, 7j/7.", "public")
    assert findings == []


def test_find_personal_data_gives_spans_and_kinds():
    text = "Né le 14/02/1991, joignable au 06 12 34 56 78"
    found = find_personal_data(text)
    assert [(text[s:e], kind) for s, e, kind in found] == [("14/02/1991", "birth_date"), ("06 12 34 56 78", "phone")]


def test_personal_data_in_a_private_message_follows_the_policy():
    allowed = check_reply("Nous avons bien noté votre date de naissance : née le 14/02/1991.", "private")
    assert "personal_data_private" not in codes(allowed)
    phone = check_reply("Nous vous rappelons au 06 12 34 56 78.", "private")
    assert [(f.code, f.severity) for f in phone] == [("personal_data_private", "warn")]
    card = check_reply("Votre carte 4970 1012 3456 7893 est bloquée.", "private")
    assert ("personal_data_private", "block") in [(f.code, f.severity) for f in card]


def test_personal_data_rule_with_any_detector():
    text = "Votre numéro : 0601020304"
    findings = check(text, detector=lambda t: [(15, 25, "phone")])
    assert spans(text, findings, "personal_data_public") == ["0601020304"]
    assert "numéro de téléphone" in findings[0].message_fr and "phone number" in findings[0].message_en


def test_without_a_detector_a_public_reply_is_blocked_not_let_through(monkeypatch):
    monkeypatch.setitem(sys.modules, "veilleur.pipeline.pii", None)  # import raises ImportError
    detector = personal_data_finder(Settings())
    with pytest.raises(PersonalDataUnavailable):
        detector("bonjour")
    public = check("Bonjour, bonne journée !", detector=detector)
    assert [(f.code, f.severity) for f in public] == [("personal_data_unchecked", "block")]
    private = check("Bonjour, bonne journée !", "private", detector=detector)
    assert [(f.code, f.severity) for f in private] == [("personal_data_unchecked", "warn")]


# --- asking for data ------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "asked"), [
    ("Bonjour, envoyez-nous votre numéro de compte en commentaire.", ["numéro de compte"]),
    ("Envoyez-nous votre numéro de compte / code / IBAN", ["numéro de compte", "code", "IBAN"]),
    ("Pouvez-vous nous communiquer votre adresse e-mail ?", ["adresse e-mail"]),
    ("Merci d'indiquer vos nom, prénom et date de naissance.", ["nom", "prénom", "date de naissance"]),
    ("Quel est votre numéro client ?", ["numéro client"]),
    ("Votre date de naissance ?", ["date de naissance"]),
    ("N'hésitez pas à nous transmettre votre RIB.", ["RIB"]),
    ("Please send us your account number", ["account number"]),
])
def test_asking_for_data_in_public_blocks(text, asked):
    findings = check(text)
    assert sorted(spans(text, findings, "data_requested_public") + spans(text, findings, "secret_requested")) == \
        sorted(asked)
    assert blocks(findings)


@pytest.mark.parametrize(("text", "secret"), [
    ("Pouvez-vous nous communiquer votre numéro de carte ?", "numéro de carte"),
    ("Merci de nous transmettre le code reçu par SMS.", "code reçu par SMS"),
    ("Pour vérifier, donnez-nous votre code confidentiel.", "code confidentiel"),
    ("Indiquez-nous le cryptogramme au dos de la carte.", "cryptogramme"),
    ("Envoyez-nous vos identifiants et votre mot de passe.", "mot de passe"),
    ("Pouvez-vous nous redonner votre code PIN ?", "code PIN"),
    ("DM us your card number", "card number"),
])
@pytest.mark.parametrize("channel", ["public", "private"])
def test_asking_for_codes_cards_or_passwords_blocks_even_in_private(text, secret, channel):
    findings = check(text, channel)
    assert secret in spans(text, findings, "secret_requested")
    assert all(f.severity == "block" for f in findings if f.code == "secret_requested")


def test_private_messages_may_ask_only_what_the_policy_allows():
    allowed = "Pour vous identifier, pouvez-vous nous communiquer vos nom, prénom et date de naissance ?"
    assert check(allowed, "private") == []
    text = "Pouvez-vous nous indiquer votre numéro de compte et votre adresse postale ?"
    findings = check(text, "private")
    assert spans(text, findings, "data_not_allowed_private") == ["numéro de compte", "adresse postale"]
    wider = ReplyPolicy(allowed_private_data=["surname", "account_number"])
    assert spans(text, check(text, "private", policy=wider), "data_not_allowed_private") == ["adresse postale"]
    assert "date de naissance" in spans(allowed, check(allowed, "private", policy=wider), "data_not_allowed_private")


@pytest.mark.parametrize("text", [
    "Ne communiquez jamais vos codes, même à nos conseillers.",
    "Nous ne vous demanderons jamais votre code confidentiel.",
    "Ne nous envoyez jamais votre numéro de carte, même en MP.",
    "Nous n'avons pas besoin de votre numéro de compte.",
    "Nous allons vous envoyer votre nouveau code par courrier.",
    "Indiquez le code postal de votre agence dans le formulaire.",
    "Pouvez-vous nous indiquer votre agence et le nom de votre conseiller ?",
    "Votre code fonctionne-t-il à nouveau ?",
    "Vous trouverez votre RIB dans l'appli, rubrique Comptes.",
])
def test_advice_and_mentions_are_not_requests(text):
    assert check(text) == []


def test_a_public_reply_sending_to_a_private_message_is_judged_as_private():
    assert check("Envoyez-nous vos nom et prénom en MP, nous regardons.") == []
    text = "Envoyez-nous un message privé avec votre numéro de compte."
    assert spans(text, check(text), "data_not_allowed_private") == ["numéro de compte"]
    secret = "DM us your PIN please"
    assert codes(check(secret)) == ["secret_requested"]


def test_a_request_sent_to_the_secure_channel_is_accepted_but_never_for_codes():
    assert check("Communiquez-nous votre numéro de compte via votre espace client sécurisé.") == []
    assert check("Transmettez votre IBAN sur https://www.banque-exemple.fr/contact, merci.") == []
    text = "Envoyez votre code reçu par SMS via votre espace client."
    assert codes(check(text)) == ["secret_requested"]


def test_matching_ignores_case_and_accents():
    text = "ENVOYEZ-NOUS VOTRE NUMERO DE CARTE"
    assert spans(text, check(text), "secret_requested") == ["NUMERO DE CARTE"]
    assert codes(check("pouvez vous nous communiquer votre Numéro De Compte ?")) == ["data_requested_public"]


# --- secure-channel hand-off ------------------------------------------------------------------------

def test_a_case_needing_identification_answered_in_public_needs_the_handoff():
    text = "Bonjour, nous regardons cela au plus vite."
    for case in ({"needs_identification": True}, SimpleNamespace(needs_identification=True)):
        findings = check(text, case=case)
        assert [(f.code, f.severity, f.span) for f in findings] == [("handoff_missing", "block", None)]
        assert "https://www.banque-exemple.fr/contact" in findings[0].message_fr
    assert check(text, case={"needs_identification": False}) == []
    assert check(text, case=SimpleNamespace()) == []
    assert check(text + " " + HANDOFF, case={"needs_identification": True}) == []
    assert check(text, "private", case={"needs_identification": True}) == []


@pytest.mark.parametrize(("text", "cue"), [
    ("Votre virement a bien été reçu hier.", "Votre virement a bien été reçu"),
    ("Nous avons vérifié votre compte : tout est en ordre.", "Nous avons vérifié votre compte"),
    ("Je vois sur votre compte un prélèvement de 30 €.", "Je vois sur votre compte"),
    ("Votre carte a été bloquée par sécurité.", "Votre carte a été bloquée"),
])
def test_an_account_specific_public_reply_needs_the_handoff(text, cue):
    findings = check(text)
    assert spans(text, findings, "handoff_missing") == [cue]
    assert check(f"{text} {HANDOFF}") == []


def test_generic_answers_need_no_handoff():
    assert check("Le plafond du LDDS est de 12 000 €. Bonne journée !") == []
    assert check("Pour faire opposition sur votre carte, appelez le serveur interbancaire.") == []


def test_the_handoff_sentence_counts_without_its_link_and_matches_tolerantly():
    policy = ReplyPolicy(secure_channel_link="https://www.caisse-nord.fr/messagerie",
                         secure_channel_text="Retrouvons-nous sur votre messagerie sécurisée Caisse Nord.")
    text = "Votre virement a été rejeté. RETROUVONS-NOUS SUR VOTRE MESSAGERIE SECURISEE  CAISSE NORD"
    assert check(text, policy=policy) == []
    assert check("Votre virement a été rejeté. Voir www.caisse-nord.fr/messagerie/", policy=policy) == []
    assert codes(check(f"Votre virement a été rejeté. {HANDOFF}", policy=policy)) == ["handoff_missing"]


# --- wording to review ------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "term"), [
    ("Ce placement est garanti, foncez !", "garanti"),
    ("Un produit SANS RISQUE pour votre épargne.", "SANS RISQUE"),
    ("Avec ce fonds, le rendement assure est de 5 %.", "rendement assure"),
    ("Vous allez gagner à tous les coups.", "Vous allez gagner"),
    ("Je vous conseille d'investir en actions.", "Je vous conseille d'investir"),
    ("Placez votre argent sur ce support.", "Placez votre argent"),
    ("Toutes nos excuses, c'est notre faute.", "c'est notre faute"),
    ("Nous reconnaissons notre erreur.", "Nous reconnaissons notre erreur"),
    ("Nous vous rembourserons intégralement.", "Nous vous rembourserons intégralement"),
])
def test_wording_to_review_warns(text, term):
    findings = check(text, "private")
    assert [f.severity for f in findings] == ["warn"]
    assert spans(text, findings, "review_wording") == [term]
    assert not blocks(findings)


def test_an_entity_adds_its_own_review_terms():
    policy = ReplyPolicy(review_terms=["geste commercial", "rembourse*"])
    text = "Un geste commercial vous est accordé, vous serez remboursée."
    assert spans(text, check(text, "private", policy=policy), "review_wording") == ["geste commercial", "remboursée"]
    assert check(text, "private") == []


# --- consumer credit --------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Empruntez jusqu'à 30 000 € avec notre prêt personnel !",
    "Financez votre projet avec notre crédit conso, TAEG fixe 4,90 %.",
    "Découvrez notre crédit renouvelable en ligne.",
    "Notre prêt perso à partir de 3,9 % : simulez-le !",
])
def test_promoting_consumer_credit_needs_the_legal_mention(text):
    findings = check(text, "private")
    assert codes(findings) == ["credit_mention_missing"]
    assert findings[0].severity == "block"
    assert check(f"{text} {MENTION}", "private") == []


def test_the_legal_mention_matches_tolerantly():
    text = ("Empruntez pour vos travaux. un credit vous engage et DOIT ETRE REMBOURSE ! verifiez vos capacites de\n"
            "remboursement   avant de vous engager")
    assert check(text, "private") == []
    assert codes(check("Empruntez. Un crédit vous engage.", "private")) == ["credit_mention_missing"]


def test_talking_about_the_customers_own_credit_is_not_promotion():
    assert check("Votre prêt personnel est bien soldé, vous n'aurez plus de mensualités.", "private") == []
    assert check("Le Livret A est à 3 % net.", "private") == []


def test_an_entity_can_have_its_own_credit_mention():
    policy = ReplyPolicy(credit_mention="Mention légale de la Caisse Nord pour tout crédit.")
    text = "Empruntez avec la Caisse Nord. Mention légale de la caisse nord pour tout credit"
    assert check(text, "private", policy=policy) == []
    assert codes(check(f"Empruntez avec la Caisse Nord. {MENTION}", "private", policy=policy)) == \
        ["credit_mention_missing"]


# --- findings ---------------------------------------------------------------------------------------

def test_findings_come_blocking_first_then_in_text_order():
    text = "Ce placement est garanti. Envoyez-nous votre IBAN et votre code."
    findings = check(text)
    assert [(f.code, f.severity) for f in findings] == [
        ("data_requested_public", "block"), ("secret_requested", "block"), ("review_wording", "warn")]
    assert all(f.message_fr and f.message_en for f in findings)


def test_channel_must_be_public_or_private():
    with pytest.raises(ValueError, match="channel"):
        check("Bonjour", "tweet")


# --- settings: default, per entity, inheritance -----------------------------------------------------

ORGANISATION = Organisation(entities=[
    Entity(id="groupe", name="Groupe", kind="group"),
    Entity(id="caisse-nord", name="Caisse Nord", kind="regional_bank", parent="groupe"),
    Entity(id="agence-lille", name="Agence de Lille", kind="branch", parent="caisse-nord"),
    Entity(id="caisse-sud", name="Caisse Sud", kind="regional_bank", parent="groupe"),
])


def compliance_settings():
    return ComplianceSettings.model_validate({
        "default": {"secure_channel_link": "https://groupe.example/contact", "review_terms": ["offre flash"]},
        "policies": {
            "groupe": {"review_terms": ["geste commercial"]},
            "caisse-nord": {"secure_channel_link": "https://nord.example/messagerie",
                            "allowed_private_data": ["surname", "first_name"], "review_terms": ["remise"]},
        },
    })


def test_an_entity_inherits_its_parents_policy_field_by_field():
    settings = compliance_settings()
    branch = settings.policy_for("agence-lille", ORGANISATION)
    assert branch.secure_channel_link == "https://nord.example/messagerie"
    assert branch.allowed_private_data == ["surname", "first_name"]
    assert branch.review_terms == ["offre flash", "geste commercial", "remise"]
    assert branch.credit_mention == MENTION
    sud = settings.policy_for("caisse-sud", ORGANISATION)
    assert sud.secure_channel_link == "https://groupe.example/contact"
    assert sud.allowed_private_data == ["surname", "first_name", "birth_date"]
    assert sud.review_terms == ["offre flash", "geste commercial"]
    assert settings.policy_for(None, ORGANISATION) == settings.default
    with pytest.raises(ConfigError, match="unknown entity 'nowhere'"):
        settings.policy_for("nowhere", ORGANISATION)


def test_an_entitys_policy_changes_the_verdict():
    settings = compliance_settings()
    lille = settings.policy_for("agence-lille", ORGANISATION)
    ask = "Pouvez-vous nous communiquer votre date de naissance ?"
    assert codes(check(ask, "private", policy=lille)) == ["data_not_allowed_private"]
    assert check(ask, "private", policy=settings.policy_for("caisse-sud", ORGANISATION)) == []
    account = "Votre virement a bien été reçu, suite sur https://nord.example/messagerie"
    assert check(account, policy=lille) == []
    assert codes(check(account, policy=settings.policy_for("caisse-sud", ORGANISATION))) == ["handoff_missing"]


def test_a_policy_never_allows_secrets_and_forbids_unknown_keys():
    with pytest.raises(ValidationError, match="never be asked"):
        ReplyPolicy(allowed_private_data=["surname", "card_number"])
    with pytest.raises(ValidationError):
        ReplyPolicy(allowed_private_data=["shoe_size"])
    with pytest.raises(ValidationError):
        ReplyPolicy.model_validate({"secure_link": "x"})
    with pytest.raises(ValidationError, match="no word"):
        ReplyPolicy(review_terms=["!!"])


def test_the_compliance_section_of_the_settings_file(tmp_path):
    path = tmp_path / "veilleur.toml"
    path.write_text('[organisation]\nentities = [{id = "groupe", name = "G", kind = "group"},'
                    ' {id = "caisse-nord", name = "N", parent = "groupe"}]\n'
                    '[compliance.policies.groupe]\nsecure_channel_link = "https://g.example/contact"\n',
                    encoding="utf-8")
    settings = get_settings(path)
    policy = settings.compliance.policy_for("caisse-nord", settings.organisation)
    assert policy.secure_channel_link == "https://g.example/contact"
    path.write_text('[compliance.default]\nallowed_private_data = ["iban", "cvv"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"compliance\.default\.allowed_private_data"):
        get_settings(path)


# --- the command line -------------------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    """Findings on one line each whatever the terminal (pytest-xdist fixes COLUMNS=80 at import)."""
    from rich.console import Console

    from veilleur.cli import policy_commands

    monkeypatch.setattr(policy_commands, "out", Console(width=250))


def invoke(*args, **kwargs):
    return runner.invoke(app, ["policy", "check", *map(str, args)], **kwargs)


def test_cli_exits_1_when_a_finding_blocks():
    result = invoke("Envoyez-nous votre numéro de carte")
    assert result.exit_code == 1, result.output
    assert "secret_requested" in result.output and "numéro de carte" in result.output
    assert "phishing" in result.output and "bloqué / blocked" in result.output


def test_cli_exits_0_when_nothing_blocks():
    private = invoke("Pouvez-vous nous communiquer vos nom, prénom et date de naissance ?", "--private")
    assert private.exit_code == 0, private.output
    assert "may be sent" in private.output
    warned = invoke("Pour faire opposition, appelez le 09 69 39 77 77. Ce service est garanti 7j/7.")
    assert warned.exit_code == 0, warned.output
    assert "review_wording" in warned.output and "garanti" in warned.output


def test_cli_blocks_personal_data_in_public_and_shows_it_in_context():
    result = invoke("Bien reçu, nous rappelons le 06 12 34 56 78 demain.")
    assert result.exit_code == 1
    assert "personal_data_public" in result.output and "06 12 34 56 78" in result.output


def test_cli_uses_the_entitys_policy(tmp_path):
    config = tmp_path / "veilleur.toml"
    config.write_text('[organisation]\nentities = [{id = "caisse-nord", name = "Caisse Nord"}]\n'
                      '[compliance.policies.caisse-nord]\nallowed_private_data = ["surname", "iban"]\n',
                      encoding="utf-8")
    text = "Pouvez-vous nous communiquer votre IBAN ?"
    assert invoke(text, "--private", "--config", config).exit_code == 1
    assert invoke(text, "--private", "--entity", "caisse-nord", "--config", config).exit_code == 0
    unknown = invoke(text, "--private", "--entity", "caisse-sud", "--config", config)
    assert unknown.exit_code == 2 and "unknown entity" in unknown.output


def test_cli_needs_identification_and_standard_input():
    result = invoke("-", "--needs-identification", input="Nous regardons cela.")
    assert result.exit_code == 1 and "handoff_missing" in result.output
    assert invoke("-", input="Nous regardons cela.").exit_code == 0
