# tipline — français. Chaque mot qu’une personne voit vient de ce fichier.
# Les clés sont communes à toutes les langues ; un test vérifie que chaque langue a toutes les clés.

language-name = Français
site-name = Signaler la traite et l’exploitation
skip-to-content = Aller au contenu
quick-exit = Sortie rapide
quick-exit-hint = Besoin de partir vite ? Le bouton « Sortie rapide » en haut de la page vous fait quitter ce site immédiatement.
language-nav = Langue
privacy-footer = Ce site ne dépose aucun cookie, ne charge rien depuis d’autres sites et ne garde aucune trace de votre visite.
help-heading = De l’aide maintenant
help-intro = Si quelqu’un est en danger, appelez le numéro d’urgence. Ces numéros fonctionnent dans toute l’Union européenne :
help-112 = Urgences (police, ambulance, pompiers), gratuit, dans toute l’UE
help-116000 = Numéro d’aide pour les enfants disparus
help-116111 = Ligne d’écoute pour les enfants et les jeunes

landing-title = Signaler un soupçon de traite des êtres humains ou d’exploitation
landing-intro = Vous avez vu quelque chose qui ne vous semble pas normal : une personne qui ne peut pas quitter son travail, un enfant avec un adulte qui n’est pas son parent, une annonce en ligne, une image qui ne devrait pas exister. Dites-le-nous. Des personnes formées lisent chaque signalement et le transmettent à la police ou à l’autorité compétente.
landing-start = Faire un signalement
landing-safe-heading = Votre sécurité
landing-safe-anonymous = Vous pouvez rester anonyme. Nous ne vous demandons pas votre nom, sauf si vous choisissez de le donner.
landing-safe-sealed = Votre signalement est chiffré dès son arrivée.
landing-safe-no-trace = Ce site fonctionne sans JavaScript, ne dépose aucun cookie et ne garde aucune trace de votre visite.
landing-safe-receipt = À la fin, vous recevez un code de suivi qui vous permet de revenir, de lire nos questions et d’y répondre.
landing-emergency = Si quelqu’un est en danger immédiat, appelez le 112 maintenant.

choose-title = De quel type de situation s’agit-il ?
choose-intro = Choisissez la description qui correspond le mieux. En cas de doute, choisissez « Autre chose ».
choose-legend = Type de situation
choose-continue = Continuer
choose-error = Choisissez le type de situation pour continuer.

category-sexual-exploitation = Exploitation sexuelle d’une personne adulte
category-sexual-exploitation-hint = Une personne adulte forcée ou poussée par la tromperie à se prostituer ou à exercer une autre activité sexuelle.
category-labour-exploitation = Exploitation par le travail
category-labour-exploitation-hint = Travail forcé, travail non payé ou mal payé, travailleurs qui ne peuvent pas partir.
category-domestic-servitude = Servitude domestique
category-domestic-servitude-hint = Une personne retenue pour travailler dans une maison, pour le ménage, la garde d’enfants ou les soins, sans être libre.
category-child-sexual-exploitation = Un enfant est victime d’exploitation sexuelle
category-child-sexual-exploitation-hint = Une personne de moins de 18 ans est amenée à participer à des actes sexuels, en face à face ou en ligne.
category-child-travel-tourism = Un enfant victime d’exploitation sexuelle lors de voyages ou dans le tourisme
category-child-travel-tourism-hint = Dans un hôtel, pendant un voyage, par un voyageur ou un touriste, dans votre pays ou à l’étranger.
category-online-grooming = Un adulte qui contacte un enfant en ligne à des fins sexuelles
category-online-grooming-hint = Pédopiégeage (grooming) : un adulte qui cherche un contact sexuel avec un enfant par messagerie, dans des jeux ou sur les réseaux sociaux.
category-abuse-material-online = Matériel d’abus sexuels sur enfants en ligne
category-abuse-material-online-hint = Des images ou des vidéos d’abus sexuels sur enfants sur un site web ou une application. Donnez-nous uniquement l’adresse, n’envoyez jamais les images.
category-forced-begging-criminality = Mendicité forcée ou contrainte à commettre des délits
category-forced-begging-criminality-hint = Une personne obligée de mendier, de voler, de vendre de la drogue ou de commettre d’autres délits pour quelqu’un d’autre.
category-forced-marriage = Mariage forcé
category-forced-marriage-hint = Une personne mariée, ou sur le point de l’être, contre sa volonté.
category-organ-removal = Prélèvement d’organes
category-organ-removal-hint = Une personne poussée par la pression ou la tromperie à donner un organe.
category-illegal-adoption-surrogacy = Adoption ou gestation pour autrui illégale
category-illegal-adoption-surrogacy-hint = Un enfant vendu ou donné illégalement en adoption, ou une femme forcée à porter un enfant pour autrui.
category-other = Autre chose
category-other-hint = Une autre situation, ou vous ne savez pas laquelle correspond.

form-title = Dites-nous ce que vous savez
form-intro = Répondez à ce que vous pouvez. Seule la première question est obligatoire. Laissez de côté ce que vous ne savez pas.
form-category-chosen = Type de situation :
form-change-category = Modifier
form-required = (obligatoire)
form-errors-title-prefix = Erreur :
form-errors-heading = Veuillez vérifier ces réponses
form-submit = Envoyer le signalement
form-expired = Ce formulaire est resté ouvert longtemps. Rien de ce que vous avez écrit n’est perdu : vérifiez vos réponses et envoyez à nouveau.
form-store-failed = Nous n’avons pas pu enregistrer votre signalement pour le moment. Rien de ce que vous avez écrit n’est perdu : veuillez l’envoyer à nouveau dans un instant.

what-heading = Ce qui s’est passé
what-label = Qu’avez-vous vu ou entendu ?
what-hint = Avec vos propres mots. Qui, quoi, où, depuis quand. Vous pouvez écrire dans n’importe quelle langue.

where-heading = Où
where-country-label = Pays
where-country-none = Je ne sais pas ou je préfère ne pas le dire
where-city-label = Ville, village ou lieu
where-venue-label = Établissement ou adresse
where-venue-hint = Par exemple le nom d’un hôtel, d’un restaurant, d’une ferme ou d’un site web, ou une adresse postale.

when-heading = Quand
when-date-label = Date
when-date-hint = Quand vous l’avez vu, ou quand cela a commencé. Laissez vide si vous ne savez pas.
when-still-happening = Cela se passe encore

who-heading = Qui est concerné
who-count-label = Combien de personnes semblent exploitées ?
who-count-hint = Un nombre. Laissez vide si vous ne savez pas.
who-ages-legend = Quel âge ont ces personnes, environ ? (choisissez toutes les réponses qui conviennent)
who-child-legend = Un enfant (moins de 18 ans) est-il concerné ?
who-victims-label = Décrivez les personnes qui semblent exploitées
who-victims-hint = Par exemple leur apparence, les langues qu’elles parlent, leurs vêtements, l’endroit où elles dorment.
who-exploiters-label = Décrivez les personnes qui semblent les exploiter
who-exploiters-hint = Par exemple noms ou surnoms, apparence, voitures, comportement.
age-0-11 = Moins de 12 ans
age-12-17 = 12 à 17 ans
age-18-24 = 18 à 24 ans
age-25-plus = 25 ans ou plus
age-unknown = Je ne sais pas
child-yes = Oui
child-no = Non
child-unsure = Je ne sais pas trop

signs-heading = Signes d’alerte
signs-legend = Avez-vous remarqué l’un de ces signes ? (choisissez toutes les réponses qui conviennent)
sign-immediate-danger = Quelqu’un est en danger en ce moment
sign-cannot-leave = Les personnes ne peuvent pas partir ni se déplacer librement
sign-documents-taken = Quelqu’un d’autre garde leur passeport ou leurs papiers d’identité
sign-debt = Les personnes ont une dette qu’elles ne peuvent pas rembourser, pour le voyage, le logement ou un emploi
sign-threats-violence = Menaces, violences ou blessures
sign-little-or-no-pay = Les personnes sont peu ou pas payées, ou quelqu’un d’autre prend leur argent
sign-excessive-hours = Journées très longues, aucun jour de repos
sign-lives-at-work = Les personnes vivent sur leur lieu de travail, ou là où leur patron le décide
sign-controlled-or-watched = Quelqu’un d’autre parle à leur place ou les surveille en permanence
sign-fearful-or-coached = Les personnes semblent avoir peur, ou semblent répéter ce qu’on leur a dit de dire
sign-looks-under-18 = Quelqu’un semble avoir moins de 18 ans
sign-isolated-no-address = Les personnes ne savent pas où elles se trouvent, ou ne parlent pas la langue du pays

ids-heading = Numéros de téléphone, adresses et autres informations
ids-intro = Ces informations nous aident à relier les signalements qui concernent les mêmes personnes. Donnez celles que vous avez.
ids-one-per-line = Une information par ligne.
ids-phones-label = Numéros de téléphone
ids-emails-label = Adresses e-mail
ids-websites-label = Sites web ou annonces (adresses web)
ids-social-label = Comptes de réseaux sociaux ou pseudos
ids-plates-label = Plaques d’immatriculation

files-heading = Photos ou documents
files-label = Ajouter des photos ou des documents PDF (facultatif)
files-hint = Jusqu’à { $max } fichiers de { $size } Mo chacun, au format JPEG, PNG ou PDF. Avant de les enregistrer, nous supprimons les informations cachées comme la localisation, l’appareil photo et l’auteur. N’envoyez jamais d’images d’abus sexuels sur enfants.
files-choose-again = Vos fichiers ({ $names }) n’ont pas été conservés. Veuillez les choisir à nouveau.

abuse-heading = Où se trouve ce matériel ?
abuse-intro = Donnez uniquement l’adresse web. Ne téléchargez pas, ne copiez pas et n’envoyez pas les images ou les vidéos : c’est en soi une infraction, même pour les signaler.
abuse-url-label = Adresse web (URL)
abuse-url-hint = Copiez l’adresse depuis la barre d’adresse de votre navigateur, par exemple https://example.com/page.
abuse-where-label = Où l’avez-vous trouvé ?
abuse-where-hint = Par exemple un site web, un réseau social, une messagerie ou un service de partage de fichiers.
abuse-comment-label = Autre chose que nous devrions savoir ? (facultatif)
abuse-comment-hint = Par exemple comment vous l’avez trouvé, ou d’autres adresses.

contact-heading = Rester anonyme ou laisser vos coordonnées
contact-legend = Voulez-vous rester anonyme ?
contact-anonymous = Oui, rester anonyme (recommandé)
contact-leave-details = Non, je laisse mes coordonnées pour que le service de signalement puisse me joindre
contact-hint = Seulement si vous avez choisi de laisser vos coordonnées : dites-nous comment vous joindre en toute sécurité. Si vous restez anonyme, tout ce qui est écrit ci-dessous est effacé.
contact-name-label = Nom ou pseudonyme
contact-email-label = Adresse e-mail
contact-phone-label = Numéro de téléphone

confirm-title = Merci, votre signalement a bien été reçu
confirm-repeated = Ce signalement avait déjà été reçu ; il n’a pas été enregistré deux fois.
confirm-receipt-heading = Votre code de suivi
confirm-receipt-keep = Notez ce code ou gardez-le dans un endroit sûr. Grâce à lui, vous pourrez revenir, voir ce qu’il est advenu de votre signalement et répondre à nos questions, toujours de façon anonyme.
confirm-receipt-once = Nous ne conservons pas ce code et ne pourrons pas vous le montrer à nouveau.
confirm-next-heading = Et ensuite ?
confirm-next-read = Une personne formée de notre service lit votre signalement, en général dans les quelques jours ouvrables qui suivent.
confirm-next-forward = Si une action est nécessaire, nous le transmettons à la police ou à l’autorité compétente, ici ou dans un autre pays.
confirm-next-come-back = Revenez avec votre code de suivi pour voir où en est votre signalement ou pour répondre à des questions.
confirm-another = Faire un autre signalement

error-required = Veuillez répondre à cette question.
error-too-long = Cette réponse est trop longue. Veuillez la raccourcir.
error-too-many = Il y a trop d’entrées. Veuillez en indiquer 50 au maximum.
error-invalid-choice = Veuillez choisir l’une des options proposées.
error-choose-category = Choisissez le type de situation.
error-date = Saisissez la date sous la forme année-mois-jour, par exemple 2026-03-31.
error-date-future = La date ne peut pas être dans le futur.
error-people-count = Saisissez un nombre de 1 à 10000, ou laissez vide.
error-contact-needed = Pour que nous puissions vous contacter, indiquez une adresse e-mail ou un numéro de téléphone, ou choisissez de rester anonyme.
error-email = Saisissez une adresse e-mail du type name@example.org.
error-url = Saisissez une adresse web du type https://example.com/page.
error-attachment-too-large = Un fichier est trop volumineux. Chaque fichier peut faire jusqu’à { $size } Mo.
error-attachment-unsupported = Un fichier n’est pas au format JPEG, PNG ou PDF. Veuillez choisir uniquement des photos ou des documents PDF.
error-attachment-unreadable = Un fichier n’a pas pu être lu. Il est peut-être endommagé ; veuillez en essayer un autre.
error-attachment-too-many = Trop de fichiers. Vous pouvez en ajouter { $max } au maximum.
error-reference = Si vous contactez le service de signalement à ce sujet, indiquez cette référence : { $reference }

message-home = Retour à l’accueil
page-not-found-title = Page introuvable
page-not-found-text = Cette page n’existe pas. Vérifiez l’adresse ou revenez à l’accueil.
too-many-title = Veuillez patienter un instant
too-many-text = Nous recevons beaucoup de signalements en ce moment. Veuillez patienter une minute et réessayer ; rien n’est perdu si vous revenez à votre formulaire.
too-large-title = Le signalement est trop volumineux
too-large-text = Vos fichiers sont trop volumineux au total. Revenez en arrière, choisissez moins de fichiers ou des fichiers plus petits, puis envoyez à nouveau.
server-error-title = Un problème est survenu
server-error-text = Nous n’avons pas pu terminer l’opération. Veuillez réessayer dans un instant. Si le problème persiste, contactez le service de signalement par téléphone.
bad-request-title = Nous n’avons pas pu lire ce formulaire
bad-request-text = Le formulaire n’a pas pu être lu. Revenez à l’accueil et réessayez.

api-problem-validation = Certains champs sont manquants ou incorrects
api-problem-malformed-body = Le corps de la requête n’a pas pu être lu
api-problem-unsupported-media-type = Envoyez application/json, ou multipart/form-data avec une partie JSON nommée report
api-problem-too-large = La requête est trop volumineuse
api-problem-rate-limited = Trop de signalements en ce moment ; réessayez dans une minute
api-problem-unavailable = Le signalement n’a pas pu être enregistré ; réessayez avec la même clé Idempotency-Key
