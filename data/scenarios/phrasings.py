"""Phrasings of the injected incidents of the scenario set, written by hand for veilleur.

Each incident kind has a few dozen phrasings in the voices of French social networks (SMS
spelling, missing accents, emoji, irony, hashtags); ``{b}`` is a way of naming the bank (alias,
handle or hashtag, chosen per post), ``{app}`` its app. ``generate.py`` combines them with
openings, endings and small variations. Standard library only.
"""
from __future__ import annotations

OUTAGE = [
    "{b} l'appli est plantée depuis ce matin, impossible de me connecter 😡",
    "encore une panne chez {b}... erreur 503 sur le site ET sur l'appli",
    "C'est moi ou {app} ne marche plus du tout ?",
    "impossible d'acceder a mon compte {b}, l'appli tourne dans le vide",
    "{b} vous comptez réparer votre appli quand ? j'ai un virement urgent à faire",
    "Appli {b} HS. Site HS. Service client injoignable. Magnifique.",
    "bon ben plus d'appli {b}, j'espère que mon salaire est quand même arrivé",
    "{b} votre site affiche 'service indisponible' depuis une heure, c'est normal ?",
    "je suis à la caisse et je peux pas vérifier mon solde parce que {app} est en rade 🙃",
    "Panne générale chez {b} ? Ni l'appli ni le site ne répondent",
    "Ça fait 40 min que j'essaie de me connecter à {app}, écran blanc à chaque fois",
    "Bravo {b}, un jour de paie en plus, appli morte 👏👏",
    "Quelqu'un d'autre a le message 'erreur technique' sur l'appli {b} ?",
    "{b} mes clients attendent leurs virements et votre plateforme est en panne, c'est inadmissible",
    "l'appli {b} me déconnecte toutes les 10 secondes, impossible de valider un paiement",
    "#panne {b} : code d'erreur 503 partout. Vous avez un statut quelque part ?",
    "pas moyen de faire un virement sur {app} ce matin, ça mouline et puis rien",
    "{b} j'ai besoin de faire opposition et votre appli est plantée, je fais comment ??",
    "Toujours aucune connexion possible à l'espace client {b}. On nous dit rien.",
    "Mon appli {b} plante au lancement depuis 8h, j'ai réinstallé, pareil",
    "Site {b} inaccessible, appli inaccessible, standard saturé. On est où là",
    "dites {b}, c'est une panne ou vous avez fermé boutique ? 😂",
    "impossible de payer en ligne, la validation {app} ne s'ouvre pas",
    "{b} en panne = moi qui peux pas payer le loyer aujourd'hui. Merci hein",
    "L'authentification forte de {b} ne passe plus, plus rien ne marche",
    "3e tentative de connexion à {app}, 3e échec. Ça devient pénible",
]

RUMOR_SEEDS = [
    "🚨 {b} serait en grande difficulté, des retraits vont être bloqués lundi. Retirez votre argent !",
    "Info qui circule en interne : {b} n'a plus de liquidités, ils vont limiter les retraits. Partagez",
    "On me dit que {b} va faire faillite d'ici la fin du mois. Vous êtes prévenus.",
    "ALERTE : {b} gèlerait les comptes la semaine prochaine. Videz vos comptes tant qu'il est temps",
    "Un ami qui bosse chez {b} confirme : la banque est au bord de la faillite. Sortez vos économies.",
]

RUMOR_COPY = "🚨 {b} en faillite ? Retirez votre argent tant qu'il est encore temps, les retraits seront bloqués !!"

RUMOR_PARAPHRASES = [
    "paraît que {b} va bloquer les retraits, quelqu'un confirme ??",
    "vous avez vu ce qu'on dit sur {b} ? faillite imminente, je vais retirer mon épargne",
    "{b} au bord du gouffre selon plusieurs comptes, je vide mon livret demain matin",
    "rumeur : {b} ne pourra bientôt plus rembourser ses clients. flippant",
    "Ma mère m'appelle paniquée, elle a lu que {b} allait geler les comptes lundi",
    "si c'est vrai que {b} coule on fait comment pour nos salaires ??",
    "D'après ce qui tourne sur les groupes, {b} va fermer les retraits. Je file au distributeur",
    "queue devant le DAB {b} du centre-ville, les gens retirent tout à cause de la rumeur",
    "{b} en faillite ??? quelqu'un a une source sérieuse ou c'est encore du bullshit",
    "je viens de retirer 500€ chez {b}, on sait jamais avec ce qui se dit",
    "les retraits bloqués chez {b} lundi, c'est ce que dit tout le monde sur fb",
    "{b} serait en cessation de paiement, mon beau-frère l'a vu passer sur Telegram",
    "Apparemment {b} a perdu des milliards et va couler. Ça sent le bank run",
    "Tout le monde dit que {b} va faire faillite, vous retirez votre argent vous ?",
    "{b} va geler l'épargne des clients selon une source anonyme, à relayer",
]

PHISHING = [
    "Je viens de recevoir un SMS '{b} : votre compte est suspendu, cliquez sur le lien' 🤔 arnaque non ?",
    "attention SMS frauduleux au nom de {b}, lien vers un faux site, ne cliquez pas !!",
    "{b} vous avez un souci, je reçois des SMS de phishing à votre nom depuis ce matin",
    "Arnaque en cours : faux SMS {b} 'activité suspecte sur votre compte', lien bidon",
    "j'ai cliqué sur le lien du SMS {b} avant de réaliser que c'était du phishing, je fais quoi ??",
    "Encore un SMS '{b} - mise à jour de sécurité obligatoire'. Même pas client chez eux 😂",
    "{b} un faux conseiller m'a appelé après le SMS, il voulait que je valide une opération",
    "Signalé au 33700 : SMS {b} compte bloqué, lien vers un site qui copie le vôtre",
    "⚠️ Phishing {b} ⚠️ SMS + faux site, ils demandent vos identifiants et le code reçu",
    "ma grand-mère a reçu le faux SMS {b}, heureusement elle m'a appelée avant de cliquer",
    "{b} confirmez svp que ce SMS 'votre carte sera désactivée' ne vient pas de vous",
    "vague de SMS frauduleux {b} dans mon entourage, 4 personnes l'ont reçu ce matin",
    "Piratage ? Je reçois des SMS {b} avec un lien vers 'espace-securite', j'ai rien demandé",
    "faux SMS {b} : 'régularisez votre dossier sous 24h'. Ne tombez pas dans le panneau",
    "Je me suis fait avoir par le faux SMS {b}, 800€ débités. Je suis dégoûtée",
    "nouveau SMS de phishing {b}, le lien change mais c'est la même arnaque",
    "{b} le faux site de vos SMS frauduleux est encore en ligne, faites-le fermer !",
    "Reçu un mail ET un SMS '{b} : confirmez votre identité', c'est de la fraude évidemment",
    "mon père a donné ses codes après le SMS {b}, opposition faite mais on flippe",
    "quelqu'un d'autre reçoit les SMS '{b} compte suspendu' ? ça spamme fort aujourd'hui",
]

PRAISE_VIRAL = ("Je tiens à remercier publiquement ma conseillère {b} : après l'incendie de notre atelier, "
                "elle a tout débloqué en 48h, prêt de trésorerie compris. Humaine, rapide, efficace. Merci ❤️")

PRAISE_REPLIES = [
    "pareil, ma conseillère {b} est top, rien à redire",
    "Trop beau ce message, bravo {b} 👏",
    "Ça fait plaisir de lire du positif sur une banque ! Merci {b}",
    "franchement {b} m'a sauvé la mise aussi l'an dernier, équipe au top",
    "Magnifique histoire, force à vous pour la suite de l'atelier ❤️ et chapeau {b}",
    "comme quoi quand une banque fait bien son boulot ça se sait. Bravo {b}",
    "Je confirme, chez {b} ils sont réactifs quand ça compte",
    "je partage, ça change des plaintes habituelles 😊 merci {b}",
    "Client {b} depuis 15 ans, jamais déçu par mon agence",
    "ma conseillère {b} aussi a été géniale pour mon prêt, merci à elle",
    "quelle belle histoire 🥹 {b} au top",
    "Ça donne envie de passer chez {b} honnêtement",
    "bravo à cette conseillère {b}, qu'elle soit augmentée 😄",
    "Super réactif {b}, pareil pour moi lors de mon dégât des eaux",
    "enfin une bonne nouvelle sur ma TL, merci {b} 🙏",
]

SPONSORSHIP_ANNOUNCE = ("🎉 {b} est fière d'annoncer son partenariat avec le Festival des Embruns 2027 "
                        "à Saint-Malo : 3 jours de musique, 40 000 festivaliers "
                        "et des places à gagner pour nos clients !")

SPONSORSHIP_REACTIONS = [
    "Génial ce partenariat {b} avec le Festival des Embruns, on y sera !",
    "trop bien, des places à gagner ? je participe {b} 🎶",
    "Belle initiative {b}, ça fait plaisir de voir une banque soutenir la culture",
    "le Festival des Embruns avec {b}, j'adore ce festival 😍",
    "bravo {b}, soutenir un festival local c'est top",
    "{b} partenaire des Embruns, enfin une bonne idée de leur service com",
    "Comment on participe au concours {b} pour les places ?",
    "super nouvelle pour Saint-Malo ! merci {b}",
    "Je suis client {b} et fan des Embruns, double joie 🎉",
    "c'est donc là que passent mes frais de tenue de compte {b} 😏",
    "On sait combien coûte ce partenariat {b} ? juste par curiosité",
    "chouette, {b} au Festival des Embruns, on croise les doigts pour le concours",
    "Partenariat {b} x Embruns, belle affiche cette année",
    "ah bah au moins {b} finance autre chose que des bonus 😅",
    "Hâte d'y être ! merci {b} pour les places",
    "{b} qui sponsorise un festival, ok, et mon dossier de prêt il avance ?",
]

# Openings and endings by tone, so that a variation never turns praise into sarcasm.
OPENINGS = {"neutral": ["", "", "", "Bon. ", "Alors ", "Hello, ", "Franchement ", "Ok ", "Info : ", "Dites, "],
            "negative": ["", "", "Sérieux, ", "Pfff ", "Au secours ", "Franchement ", "Bon. ", "Alors "],
            "positive": ["", "", "", "Franchement ", "Hello ! ", "Alors ", "Ahh ", "Wow, "]}
ENDINGS = {"neutral": ["", "", "", " !", " #banque", " ...", " svp", " ??", " voilà voilà"],
           "negative": ["", "", " 😤", " 🙄", " ...", " 😱", " grr", " 🤷", " (2e fois cette année)"],
           "positive": ["", "", "", " !", " 😍", " 👏", " #banque", " 🙌", " merci !"]}
TONES = {"outage": "negative", "rumour": "negative", "phishing": "negative", "praise": "positive",
         "sponsorship": "positive"}
