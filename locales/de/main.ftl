# tipline — Deutsch. Jedes Wort, das jemand sieht, stammt aus dieser Datei.
# Die Schlüssel gelten für alle Sprachen; ein Test prüft, dass jede Sprache jeden Schlüssel hat.

language-name = Deutsch
site-name = Menschenhandel und Ausbeutung melden
skip-to-content = Zum Inhalt springen
quick-exit = Schnell verlassen
quick-exit-hint = Müssen Sie schnell weg? Mit der Schaltfläche „Schnell verlassen“ oben verlassen Sie diese Seite sofort.
language-nav = Sprache
privacy-footer = Diese Seite setzt keine Cookies, lädt nichts von anderen Seiten und speichert nichts über Ihren Besuch.
help-heading = Sofort Hilfe
help-intro = Wenn jemand in Gefahr ist, rufen Sie den Notruf an. Diese Nummern gelten in der gesamten Europäischen Union:
help-112 = Notruf (Polizei, Rettungsdienst, Feuerwehr), kostenlos, in der ganzen EU
help-116000 = Hotline für vermisste Kinder
help-116111 = Beratungstelefon für Kinder und Jugendliche

landing-title = Verdacht auf Menschenhandel oder Ausbeutung melden
landing-intro = Sie haben etwas gesehen, das Ihnen nicht richtig vorkommt: jemand, der seinen Arbeitsplatz nicht verlassen kann, ein Kind mit einem Erwachsenen, der nicht sein Elternteil ist, eine Anzeige im Internet, ein Bild, das es nicht geben dürfte. Sagen Sie es uns. Geschulte Fachkräfte lesen jede Meldung und geben sie an die Polizei oder die zuständige Behörde weiter.
landing-start = Meldung beginnen
landing-safe-heading = Ihre Sicherheit
landing-safe-anonymous = Sie können anonym bleiben. Wir fragen nicht nach Ihrem Namen, außer Sie möchten ihn selbst angeben.
landing-safe-sealed = Ihre Meldung wird verschlüsselt, sobald sie bei uns eingeht.
landing-safe-no-trace = Diese Seite funktioniert ohne JavaScript, setzt keine Cookies und speichert nichts über Ihren Besuch.
landing-safe-receipt = Am Ende erhalten Sie einen Zugangscode. Damit können Sie wiederkommen, unsere Fragen lesen und sie beantworten.
landing-emergency = Wenn jemand in akuter Gefahr ist, rufen Sie jetzt die 112 an.

choose-title = Um welche Art von Situation geht es?
choose-intro = Wählen Sie die Beschreibung, die am besten passt. Wenn Sie unsicher sind, wählen Sie „Etwas anderes“.
choose-legend = Art der Situation
choose-continue = Weiter
choose-error = Wählen Sie die Art der Situation, um fortzufahren.

category-sexual-exploitation = Sexuelle Ausbeutung einer erwachsenen Person
category-sexual-exploitation-hint = Eine erwachsene Person wird zur Prostitution oder zu anderen sexuellen Dienstleistungen gezwungen oder durch Täuschung dazu gebracht.
category-labour-exploitation = Arbeitsausbeutung
category-labour-exploitation-hint = Zwangsarbeit, unbezahlte oder unterbezahlte Arbeit, Arbeitskräfte, die nicht gehen können.
category-domestic-servitude = Ausbeutung im Haushalt
category-domestic-servitude-hint = Jemand muss in einem Haushalt arbeiten, etwa als Putzhilfe, Kinderbetreuung oder Pflegekraft, und ist dabei nicht frei.
category-child-sexual-exploitation = Ein Kind wird sexuell ausgebeutet
category-child-sexual-exploitation-hint = Eine Person unter 18 wird dazu gebracht, an sexuellen Handlungen teilzunehmen, persönlich oder online.
category-child-travel-tourism = Ein Kind wird auf Reisen oder im Tourismus sexuell ausgebeutet
category-child-travel-tourism-hint = In einem Hotel, auf einer Reise, durch Reisende oder Touristen, im Inland oder im Ausland.
category-online-grooming = Ein Erwachsener kontaktiert ein Kind online mit sexuellen Absichten
category-online-grooming-hint = Cybergrooming: Ein Erwachsener sucht über Chats, Spiele oder soziale Medien sexuellen Kontakt zu einem Kind.
category-abuse-material-online = Darstellungen sexuellen Kindesmissbrauchs im Internet
category-abuse-material-online-hint = Bilder oder Videos von sexuellem Kindesmissbrauch auf einer Website oder in einer App. Geben Sie uns nur die Adresse, senden Sie niemals die Bilder.
category-forced-begging-criminality = Zwang zum Betteln oder zu Straftaten
category-forced-begging-criminality-hint = Jemand wird gezwungen, für andere zu betteln, zu stehlen, Drogen zu verkaufen oder andere Straftaten zu begehen.
category-forced-marriage = Zwangsheirat
category-forced-marriage-hint = Jemand wurde gegen den eigenen Willen verheiratet oder soll verheiratet werden.
category-organ-removal = Organentnahme
category-organ-removal-hint = Jemand wird unter Druck gesetzt oder getäuscht, um ein Organ abzugeben.
category-illegal-adoption-surrogacy = Illegale Adoption oder Leihmutterschaft
category-illegal-adoption-surrogacy-hint = Ein Kind wird illegal zur Adoption verkauft oder weggegeben, oder eine Frau wird zur Leihmutterschaft gezwungen.
category-other = Etwas anderes
category-other-hint = Eine andere Situation, oder Sie sind unsicher, was passt.

form-title = Sagen Sie uns, was Sie wissen
form-intro = Beantworten Sie, was Sie können. Nur die erste Frage ist Pflicht. Lassen Sie alles weg, was Sie nicht wissen.
form-category-chosen = Art der Situation:
form-change-category = Ändern
form-required = (Pflichtfeld)
form-errors-title-prefix = Fehler:
form-errors-heading = Bitte prüfen Sie diese Antworten
form-submit = Meldung senden
form-expired = Dieses Formular war lange geöffnet. Nichts von dem, was Sie geschrieben haben, ist verloren: Prüfen Sie Ihre Antworten und senden Sie erneut.
form-store-failed = Wir konnten Ihre Meldung gerade nicht speichern. Nichts von dem, was Sie geschrieben haben, ist verloren: Bitte senden Sie sie gleich noch einmal.

what-heading = Was ist passiert
what-label = Was haben Sie gesehen oder gehört?
what-hint = In Ihren eigenen Worten. Wer, was, wo, seit wann. Sie können in jeder Sprache schreiben.

where-heading = Wo
where-country-label = Land
where-country-none = Nicht sicher oder keine Angabe
where-city-label = Stadt, Gemeinde oder Ort
where-venue-label = Einrichtung oder Adresse
where-venue-hint = Zum Beispiel der Name eines Hotels, Restaurants, Bauernhofs oder einer Website, oder eine Anschrift.

when-heading = Wann
when-date-label = Datum
when-date-hint = Wann Sie es gesehen haben oder wann es angefangen hat. Leer lassen, wenn Sie es nicht wissen.
when-still-happening = Es passiert immer noch

who-heading = Wer ist beteiligt
who-count-label = Wie viele Personen werden anscheinend ausgebeutet?
who-count-hint = Eine Zahl. Leer lassen, wenn Sie es nicht wissen.
who-ages-legend = Wie alt sind die Personen ungefähr? (alles Zutreffende auswählen)
who-child-legend = Ist ein Kind (unter 18) betroffen?
who-victims-label = Beschreiben Sie die Personen, die anscheinend ausgebeutet werden
who-victims-hint = Zum Beispiel Aussehen, gesprochene Sprachen, Kleidung, wo sie schlafen.
who-exploiters-label = Beschreiben Sie die Personen, die sie anscheinend ausbeuten
who-exploiters-hint = Zum Beispiel Namen oder Spitznamen, Aussehen, Autos, Verhalten.
age-0-11 = Unter 12
age-12-17 = 12 bis 17
age-18-24 = 18 bis 24
age-25-plus = 25 oder älter
age-unknown = Weiß ich nicht
child-yes = Ja
child-no = Nein
child-unsure = Ich bin mir nicht sicher

signs-heading = Warnzeichen
signs-legend = Ist Ihnen etwas davon aufgefallen? (alles Zutreffende auswählen)
sign-immediate-danger = Jemand ist gerade jetzt in Gefahr
sign-cannot-leave = Die Personen können nicht weg oder sich nicht frei bewegen
sign-documents-taken = Jemand anderes behält ihren Reisepass oder ihre Ausweispapiere
sign-debt = Die Personen haben Schulden für Reise, Unterkunft oder Arbeit, die sie nicht zurückzahlen können
sign-threats-violence = Drohungen, Gewalt oder Verletzungen
sign-little-or-no-pay = Die Personen bekommen wenig oder keinen Lohn, oder jemand anderes nimmt ihnen das Geld ab
sign-excessive-hours = Sehr lange Arbeitszeiten, keine freien Tage
sign-lives-at-work = Die Personen wohnen an ihrem Arbeitsplatz oder dort, wo ihr Chef es bestimmt
sign-controlled-or-watched = Jemand anderes spricht für sie oder beobachtet sie ständig
sign-fearful-or-coached = Die Personen wirken ängstlich oder scheinen zu wiederholen, was man ihnen vorgesagt hat
sign-looks-under-18 = Jemand sieht jünger aus als 18
sign-isolated-no-address = Die Personen wissen nicht, wo sie sind, oder sprechen die Landessprache nicht

ids-heading = Telefonnummern, Adressen und andere Angaben
ids-intro = Solche Angaben helfen uns, Meldungen über dieselben Personen miteinander zu verbinden. Geben Sie an, was Sie haben.
ids-one-per-line = Eine Angabe pro Zeile.
ids-phones-label = Telefonnummern
ids-emails-label = E-Mail-Adressen
ids-websites-label = Websites oder Anzeigen (Webadressen)
ids-social-label = Social-Media-Konten oder Benutzernamen
ids-plates-label = Kfz-Kennzeichen

files-heading = Fotos oder Dokumente
files-label = Fotos oder PDF-Dokumente hinzufügen (freiwillig)
files-hint = Bis zu { $max } Dateien mit je höchstens { $size } MB, als JPEG, PNG oder PDF. Vor dem Speichern entfernen wir versteckte Informationen wie Standort, Kamera und Urheber. Senden Sie niemals Darstellungen sexuellen Kindesmissbrauchs.
files-choose-again = Ihre Dateien ({ $names }) wurden nicht übernommen. Bitte wählen Sie sie noch einmal aus.

abuse-heading = Wo sind die Darstellungen zu finden?
abuse-intro = Geben Sie nur die Webadresse an. Laden Sie die Bilder oder Videos nicht herunter, kopieren und versenden Sie sie nicht: Das ist selbst eine Straftat, auch wenn Sie sie nur melden wollen.
abuse-url-label = Webadresse (URL)
abuse-url-hint = Kopieren Sie die Adresse aus der Adresszeile Ihres Browsers, zum Beispiel https://example.com/page.
abuse-where-label = Wo haben Sie die Darstellungen gefunden?
abuse-where-hint = Zum Beispiel auf einer Website, in einem sozialen Netzwerk, einer Chat-App oder einem Filesharing-Dienst.
abuse-comment-label = Gibt es sonst noch etwas, das wir wissen sollten? (freiwillig)
abuse-comment-hint = Zum Beispiel, wie Sie darauf gestoßen sind, oder weitere Adressen.

contact-heading = Anonym bleiben oder Kontaktdaten angeben
contact-legend = Möchten Sie anonym bleiben?
contact-anonymous = Ja, anonym bleiben (empfohlen)
contact-leave-details = Nein, ich gebe Kontaktdaten an, damit die Meldestelle mich erreichen kann
contact-hint = Nur wenn Sie Kontaktdaten angeben möchten: Sagen Sie uns, wie wir Sie sicher erreichen können. Wenn Sie anonym bleiben, wird alles, was Sie unten eingeben, verworfen.
contact-name-label = Name oder Spitzname
contact-email-label = E-Mail-Adresse
contact-phone-label = Telefonnummer

confirm-title = Vielen Dank, Ihre Meldung ist eingegangen
confirm-repeated = Diese Meldung war bereits eingegangen; sie wurde nicht doppelt gespeichert.
confirm-receipt-heading = Ihr Zugangscode
confirm-receipt-keep = Schreiben Sie diesen Code auf oder bewahren Sie ihn an einem sicheren Ort auf. Damit können Sie wiederkommen, sehen, was mit Ihrer Meldung geschehen ist, und unsere Fragen beantworten – weiterhin anonym.
confirm-receipt-once = Wir speichern diesen Code nicht und können ihn Ihnen nicht noch einmal anzeigen.
confirm-next-heading = Wie es weitergeht
confirm-next-read = Eine geschulte Fachkraft der Meldestelle liest Ihre Meldung, meist innerhalb weniger Werktage.
confirm-next-forward = Wenn etwas unternommen werden muss, geben wir die Meldung an die Polizei oder die zuständige Behörde weiter, hier oder in einem anderen Land.
confirm-next-come-back = Kommen Sie mit Ihrem Zugangscode wieder, um den Stand zu sehen oder Fragen zu beantworten.
confirm-another = Eine weitere Meldung machen

error-required = Bitte beantworten Sie diese Frage.
error-too-long = Diese Antwort ist zu lang. Bitte kürzen Sie sie.
error-too-many = Das sind zu viele Einträge. Bitte geben Sie höchstens 50 an.
error-invalid-choice = Bitte wählen Sie eine der angebotenen Möglichkeiten.
error-choose-category = Wählen Sie die Art der Situation.
error-date = Geben Sie das Datum als Jahr, Monat und Tag ein, zum Beispiel 2026-03-31.
error-date-future = Das Datum darf nicht in der Zukunft liegen.
error-people-count = Geben Sie eine Zahl von 1 bis 10000 ein oder lassen Sie das Feld leer.
error-contact-needed = Damit wir Sie erreichen können, geben Sie eine E-Mail-Adresse oder Telefonnummer an – oder wählen Sie, anonym zu bleiben.
error-email = Geben Sie eine E-Mail-Adresse wie name@example.org ein.
error-url = Geben Sie eine Webadresse wie https://example.com/page ein.
error-attachment-too-large = Eine Datei ist zu groß. Jede Datei darf höchstens { $size } MB groß sein.
error-attachment-unsupported = Eine Datei ist kein JPEG, PNG oder PDF. Bitte wählen Sie nur Fotos oder PDF-Dokumente.
error-attachment-unreadable = Eine Datei konnte nicht gelesen werden. Möglicherweise ist sie beschädigt; bitte versuchen Sie eine andere.
error-attachment-too-many = Zu viele Dateien. Sie können bis zu { $max } hinzufügen.
error-reference = Wenn Sie sich deswegen an die Meldestelle wenden, nennen Sie bitte: { $reference }

message-home = Zurück zur Startseite
page-not-found-title = Seite nicht gefunden
page-not-found-text = Diese Seite gibt es nicht. Prüfen Sie die Adresse oder gehen Sie zurück zur Startseite.
too-many-title = Bitte warten Sie einen Moment
too-many-text = Wir erhalten gerade sehr viele Meldungen. Bitte warten Sie eine Minute und versuchen Sie es dann erneut; wenn Sie zu Ihrem Formular zurückgehen, geht nichts verloren.
too-large-title = Die Meldung ist zu groß
too-large-text = Ihre Dateien sind zusammen zu groß. Gehen Sie zurück, wählen Sie weniger oder kleinere Dateien und senden Sie erneut.
server-error-title = Etwas ist schiefgelaufen
server-error-text = Das hat leider nicht geklappt. Bitte versuchen Sie es gleich noch einmal. Wenn das Problem bleibt, wenden Sie sich telefonisch an die Meldestelle.
bad-request-title = Wir konnten dieses Formular nicht lesen
bad-request-text = Das Formular konnte nicht gelesen werden. Gehen Sie zurück zur Startseite und versuchen Sie es erneut.

api-problem-validation = Einige Felder fehlen oder sind fehlerhaft
api-problem-malformed-body = Der Inhalt der Anfrage konnte nicht gelesen werden
api-problem-unsupported-media-type = Senden Sie application/json oder multipart/form-data mit einem JSON-Teil namens report
api-problem-too-large = Die Anfrage ist zu groß
api-problem-rate-limited = Gerade gehen zu viele Meldungen ein; versuchen Sie es nach einer Minute erneut
api-problem-unavailable = Die Meldung konnte nicht gespeichert werden; versuchen Sie es mit demselben Idempotency-Key erneut
