# tipline — Nederlands. Elk woord dat iemand ziet, komt uit dit bestand.
# De sleutels zijn voor alle talen gelijk; een test controleert dat elke taal elke sleutel heeft.

language-name = Nederlands
site-name = Mensenhandel en uitbuiting melden
skip-to-content = Naar de inhoud
quick-exit = Snel weg
quick-exit-hint = Moet je snel weg? Met de knop “Snel weg” bovenaan verlaat je deze website meteen.
language-nav = Taal
privacy-footer = Deze website plaatst geen cookies, laadt niets van andere websites en houdt niets bij over je bezoek.
help-heading = Nu hulp nodig
help-intro = Is iemand in gevaar? Bel dan het alarmnummer. Deze nummers werken in de hele Europese Unie:
help-112 = Alarmnummer (politie, ambulance, brandweer), gratis, in de hele EU
help-116000 = Hulplijn voor vermiste kinderen
help-116111 = Hulplijn voor kinderen en jongeren

landing-title = Meld een vermoeden van mensenhandel of uitbuiting
landing-intro = Je hebt iets gezien dat niet goed voelt: iemand die niet weg kan van het werk, een kind bij een volwassene die niet de ouder is, een advertentie online, een foto die niet zou mogen bestaan. Vertel het ons. Getrainde medewerkers lezen elke melding en geven die door aan de politie of de juiste instantie.
landing-start = Begin een melding
landing-safe-heading = Jouw veiligheid
landing-safe-anonymous = Je kunt anoniem blijven. We vragen niet naar je naam, tenzij je die zelf wilt geven.
landing-safe-sealed = Je melding wordt versleuteld zodra die binnenkomt.
landing-safe-no-trace = Deze website werkt zonder JavaScript, plaatst geen cookies en houdt niets bij over je bezoek.
landing-safe-receipt = Aan het eind krijg je een ontvangstcode. Daarmee kun je terugkomen, onze vragen lezen en ze beantwoorden.
landing-emergency = Is iemand direct in gevaar? Bel nu 112.

choose-title = Om wat voor situatie gaat het?
choose-intro = Kies de beschrijving die het best past. Weet je het niet zeker? Kies dan “Iets anders”.
choose-legend = Soort situatie
choose-continue = Verder
choose-error = Kies het soort situatie om verder te gaan.

category-sexual-exploitation = Seksuele uitbuiting van een volwassene
category-sexual-exploitation-hint = Een volwassene die gedwongen of misleid wordt tot prostitutie of ander sekswerk.
category-labour-exploitation = Arbeidsuitbuiting
category-labour-exploitation-hint = Dwangarbeid, onbetaald of onderbetaald werk, werknemers die niet weg kunnen.
category-domestic-servitude = Uitbuiting in de huishouding
category-domestic-servitude-hint = Iemand die in een huishouden moet werken, als schoonmaker, oppas of verzorger, zonder vrij te zijn.
category-child-sexual-exploitation = Een kind wordt seksueel uitgebuit
category-child-sexual-exploitation-hint = Iemand onder de 18 wordt gedwongen mee te doen aan seksuele handelingen, in het echt of online.
category-child-travel-tourism = Een kind wordt seksueel uitgebuit tijdens reizen of in het toerisme
category-child-travel-tourism-hint = In een hotel, tijdens een reis, door een reiziger of toerist, in eigen land of in het buitenland.
category-online-grooming = Een volwassene zoekt online contact met een kind voor seks
category-online-grooming-hint = Grooming: een volwassene die via chat, games of sociale media seksueel contact zoekt met een kind.
category-abuse-material-online = Beelden van seksueel kindermisbruik online
category-abuse-material-online-hint = Foto’s of video’s van seksueel kindermisbruik op een website of in een app. Geef ons alleen het adres, stuur nooit de beelden.
category-forced-begging-criminality = Gedwongen bedelen of criminele uitbuiting
category-forced-begging-criminality-hint = Iemand die voor een ander moet bedelen, stelen, drugs verkopen of andere misdrijven plegen.
category-forced-marriage = Gedwongen huwelijk
category-forced-marriage-hint = Iemand die tegen de eigen wil getrouwd is of moet gaan trouwen.
category-organ-removal = Orgaanverwijdering
category-organ-removal-hint = Iemand die onder druk gezet of misleid wordt om een orgaan af te staan.
category-illegal-adoption-surrogacy = Illegale adoptie of draagmoederschap
category-illegal-adoption-surrogacy-hint = Een kind dat illegaal wordt verkocht of afgestaan voor adoptie, of een vrouw die gedwongen wordt draagmoeder te worden.
category-other = Iets anders
category-other-hint = Een andere situatie, of je weet niet zeker welke past.

form-title = Vertel ons wat je weet
form-intro = Beantwoord wat je kunt. Alleen de eerste vraag is verplicht. Laat weg wat je niet weet.
form-category-chosen = Soort situatie:
form-change-category = Wijzigen
form-required = (verplicht)
form-errors-title-prefix = Fout:
form-errors-heading = Controleer deze antwoorden
form-submit = Melding versturen
form-expired = Dit formulier stond lang open. Niets van wat je hebt getypt is verloren: controleer je antwoorden en verstuur opnieuw.
form-store-failed = We konden je melding nu even niet opslaan. Niets van wat je hebt getypt is verloren: probeer het zo nog een keer te versturen.

what-heading = Wat is er gebeurd
what-label = Wat heb je gezien of gehoord?
what-hint = In je eigen woorden. Wie, wat, waar, sinds wanneer. Je mag in elke taal schrijven.

where-heading = Waar
where-country-label = Land
where-country-none = Weet ik niet of zeg ik liever niet
where-city-label = Stad, dorp of plaats
where-venue-label = Locatie of adres
where-venue-hint = Bijvoorbeeld de naam van een hotel, restaurant, boerderij of website, of een straatadres.

when-heading = Wanneer
when-date-label = Datum
when-date-hint = Wanneer je het zag, of wanneer het begon. Laat leeg als je het niet weet.
when-still-happening = Het gebeurt nog steeds

who-heading = Wie zijn erbij betrokken
who-count-label = Hoeveel mensen worden er zo te zien uitgebuit?
who-count-hint = Een getal. Laat leeg als je het niet weet.
who-ages-legend = Hoe oud zijn ze ongeveer? (kies alles wat van toepassing is)
who-child-legend = Is er een kind (onder de 18) bij betrokken?
who-victims-label = Beschrijf de mensen die uitgebuit lijken te worden
who-victims-hint = Bijvoorbeeld uiterlijk, talen die ze spreken, kleding, waar ze slapen.
who-exploiters-label = Beschrijf de mensen die hen lijken uit te buiten
who-exploiters-hint = Bijvoorbeeld namen of bijnamen, uiterlijk, auto’s, hoe ze zich gedragen.
age-0-11 = Jonger dan 12
age-12-17 = 12 tot en met 17
age-18-24 = 18 tot en met 24
age-25-plus = 25 of ouder
age-unknown = Weet ik niet
child-yes = Ja
child-no = Nee
child-unsure = Ik weet het niet zeker

signs-heading = Signalen
signs-legend = Heb je iets hiervan gemerkt? (kies alles wat van toepassing is)
sign-immediate-danger = Iemand is op dit moment in gevaar
sign-cannot-leave = Ze kunnen niet weg of zich niet vrij bewegen
sign-documents-taken = Iemand anders houdt hun paspoort of identiteitspapieren onder zich
sign-debt = Ze hebben een schuld die ze niet kunnen terugbetalen, voor de reis, huisvesting of werk
sign-threats-violence = Bedreigingen, geweld of verwondingen
sign-little-or-no-pay = Ze krijgen weinig of niets betaald, of iemand anders neemt hun geld af
sign-excessive-hours = Heel lange werkdagen, geen vrije dagen
sign-lives-at-work = Ze wonen waar ze werken, of waar hun baas dat bepaalt
sign-controlled-or-watched = Iemand anders praat voor hen of houdt hen steeds in de gaten
sign-fearful-or-coached = Ze lijken bang, of lijken een ingestudeerd verhaal te vertellen
sign-looks-under-18 = Iemand lijkt jonger dan 18
sign-isolated-no-address = Ze weten niet waar ze zijn, of spreken de taal van het land niet

ids-heading = Telefoonnummers, adressen en andere gegevens
ids-intro = Zulke gegevens helpen ons meldingen over dezelfde mensen aan elkaar te koppelen. Geef wat je hebt.
ids-one-per-line = Eén per regel.
ids-phones-label = Telefoonnummers
ids-emails-label = E-mailadressen
ids-websites-label = Websites of advertenties (webadressen)
ids-social-label = Socialemedia-accounts of gebruikersnamen
ids-plates-label = Kentekens van voertuigen

files-heading = Foto’s of documenten
files-label = Foto’s of pdf-documenten toevoegen (niet verplicht)
files-hint = Maximaal { $max } bestanden van elk hoogstens { $size } MB, in JPEG, PNG of PDF. Voordat we ze opslaan, verwijderen we verborgen informatie zoals locatie, camera en maker. Stuur nooit beelden van seksueel kindermisbruik.
files-choose-again = Je bestanden ({ $names }) zijn niet bewaard. Kies ze opnieuw.

abuse-heading = Waar staan de beelden?
abuse-intro = Geef alleen het webadres. Download, kopieer of verstuur de foto’s of video’s niet: dat is op zich al strafbaar, ook als je ze wilt melden.
abuse-url-label = Webadres (URL)
abuse-url-hint = Kopieer het adres uit de adresbalk van je browser, bijvoorbeeld https://example.com/page.
abuse-where-label = Waar heb je ze gevonden?
abuse-where-hint = Bijvoorbeeld een website, een sociaal netwerk, een chatapp of een dienst om bestanden te delen.
abuse-comment-label = Is er nog iets wat we moeten weten? (niet verplicht)
abuse-comment-hint = Bijvoorbeeld hoe je ze bent tegengekomen, of andere adressen.

contact-heading = Anoniem blijven of contactgegevens achterlaten
contact-legend = Wil je anoniem blijven?
contact-anonymous = Ja, anoniem blijven (aanbevolen)
contact-leave-details = Nee, ik laat contactgegevens achter zodat het meldpunt contact met me kan opnemen
contact-hint = Alleen als je ervoor kiest contactgegevens achter te laten: vertel ons hoe we je veilig kunnen bereiken. Blijf je anoniem, dan wordt alles wat je hieronder typt gewist.
contact-name-label = Naam of bijnaam
contact-email-label = E-mailadres
contact-phone-label = Telefoonnummer

confirm-title = Bedankt, je melding is ontvangen
confirm-repeated = Deze melding was al ontvangen; ze is niet twee keer opgeslagen.
confirm-receipt-heading = Je ontvangstcode
confirm-receipt-keep = Schrijf deze code op of bewaar hem op een veilige plek. Hiermee kun je terugkomen, zien wat er met je melding is gebeurd en onze vragen beantwoorden, nog steeds anoniem.
confirm-receipt-once = We bewaren deze code niet en kunnen hem je niet nog een keer laten zien.
confirm-next-heading = Hoe gaat het verder
confirm-next-read = Een getrainde medewerker van het meldpunt leest je melding, meestal binnen een paar werkdagen.
confirm-next-forward = Als er actie nodig is, geven we de melding door aan de politie of de bevoegde instantie, hier of in een ander land.
confirm-next-come-back = Kom terug met je ontvangstcode om te zien hoe het ervoor staat of om vragen te beantwoorden.
confirm-another = Nog een melding maken

error-required = Beantwoord deze vraag.
error-too-long = Dit antwoord is te lang. Maak het korter.
error-too-many = Je hebt te veel gegevens ingevuld. Geef er maximaal 50.
error-invalid-choice = Kies een van de aangeboden mogelijkheden.
error-choose-category = Kies het soort situatie.
error-date = Vul de datum in als jaar, maand en dag, bijvoorbeeld 2026-03-31.
error-date-future = De datum kan niet in de toekomst liggen.
error-people-count = Vul een getal van 1 tot en met 10000 in, of laat het leeg.
error-contact-needed = Wil je dat we contact met je opnemen? Geef dan een e-mailadres of telefoonnummer. Of kies ervoor anoniem te blijven.
error-email = Vul een e-mailadres in zoals name@example.org.
error-url = Vul een webadres in zoals https://example.com/page.
error-attachment-too-large = Een bestand is te groot. Elk bestand mag maximaal { $size } MB zijn.
error-attachment-unsupported = Een bestand is geen JPEG, PNG of PDF. Kies alleen foto’s of pdf-documenten.
error-attachment-unreadable = Een bestand kon niet worden gelezen. Misschien is het beschadigd; probeer een ander bestand.
error-attachment-too-many = Te veel bestanden. Je kunt er maximaal { $max } toevoegen.
error-reference = Neem je hierover contact op met het meldpunt? Noem dan: { $reference }

message-home = Terug naar het begin
page-not-found-title = Pagina niet gevonden
page-not-found-text = Deze pagina bestaat niet. Controleer het adres of ga terug naar het begin.
too-many-title = Even geduld
too-many-text = We krijgen op dit moment veel meldingen. Wacht een minuut en probeer het dan opnieuw; er gaat niets verloren als je teruggaat naar je formulier.
too-large-title = De melding is te groot
too-large-text = Je bestanden zijn samen te groot. Ga terug, kies minder of kleinere bestanden en verstuur opnieuw.
server-error-title = Er ging iets mis
server-error-text = Dit is niet gelukt. Probeer het zo opnieuw. Blijft dit gebeuren? Neem dan telefonisch contact op met het meldpunt.
bad-request-title = We konden dit formulier niet lezen
bad-request-text = Het formulier kon niet worden gelezen. Ga terug naar het begin en probeer het opnieuw.

api-problem-validation = Sommige velden ontbreken of zijn onjuist
api-problem-malformed-body = De inhoud van het verzoek kon niet worden gelezen
api-problem-unsupported-media-type = Stuur application/json, of multipart/form-data met een JSON-deel met de naam report
api-problem-too-large = Het verzoek is te groot
api-problem-rate-limited = Op dit moment te veel meldingen; probeer het over een minuut opnieuw
api-problem-unavailable = De melding kon niet worden opgeslagen; probeer het opnieuw met dezelfde Idempotency-Key
