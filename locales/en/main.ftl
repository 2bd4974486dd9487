# tipline — English. Every word a person sees comes from this file.
# Keys are shared by all languages; a test checks each language has every key.

language-name = English
site-name = Report trafficking and exploitation
skip-to-content = Skip to content
quick-exit = Quick exit
quick-exit-hint = In a hurry? The “Quick exit” button at the top leaves this site at once.
language-nav = Language
privacy-footer = This site sets no cookies, loads nothing from other sites and keeps no record of your visit.
help-heading = Help now
help-intro = If someone is in danger, call the emergency number. These numbers work across the European Union:
help-112 = Emergency (police, ambulance, fire), free, all of the EU
help-116000 = Hotline for missing children
help-116111 = Helpline for children and young people

landing-title = Report a suspicion of human trafficking or exploitation
landing-intro = You have seen something that does not feel right: someone who cannot leave their work, a child with an adult who is not their parent, an online advert, a picture that should not exist. Tell us. Trained staff read every report and pass it to the police or the right authority.
landing-start = Start a report
landing-safe-heading = Your safety
landing-safe-anonymous = You can stay anonymous. We do not ask for your name unless you choose to give it.
landing-safe-sealed = Your report is encrypted as soon as it arrives.
landing-safe-no-trace = This site works without JavaScript, sets no cookies and keeps no record of your visit.
landing-safe-receipt = At the end you get a receipt code to come back, read our questions and answer them.
landing-emergency = If someone is in immediate danger, call 112 now.

choose-title = What kind of situation is it?
choose-intro = Choose the description that fits best. If you are not sure, choose “Something else”.
choose-legend = Kind of situation
choose-continue = Continue
choose-error = Choose the kind of situation to continue.

category-sexual-exploitation = Sexual exploitation of an adult
category-sexual-exploitation-hint = An adult forced or deceived into prostitution or other sex work.
category-labour-exploitation = Labour exploitation
category-labour-exploitation-hint = Forced work, unpaid or underpaid work, workers who cannot leave.
category-domestic-servitude = Domestic servitude
category-domestic-servitude-hint = Someone kept to work in a household, as a cleaner, nanny or carer, without freedom.
category-child-sexual-exploitation = A child is being sexually exploited
category-child-sexual-exploitation-hint = A person under 18 is made to take part in sexual acts, in person or online.
category-child-travel-tourism = A child sexually exploited in travel or tourism
category-child-travel-tourism-hint = In a hotel, on a trip, by a traveller or tourist, at home or abroad.
category-online-grooming = An adult contacting a child online for sex
category-online-grooming-hint = Grooming: an adult seeking sexual contact with a child through chat, games or social media.
category-abuse-material-online = Child sexual abuse material online
category-abuse-material-online-hint = Pictures or videos of child sexual abuse on a website or app. Give us the address only, never send the pictures.
category-forced-begging-criminality = Forced begging or forced criminality
category-forced-begging-criminality-hint = Someone made to beg, steal, sell drugs or commit other crimes for someone else.
category-forced-marriage = Forced marriage
category-forced-marriage-hint = Someone married, or about to be married, against their will.
category-organ-removal = Organ removal
category-organ-removal-hint = Someone pressured or deceived into giving an organ.
category-illegal-adoption-surrogacy = Illegal adoption or surrogacy
category-illegal-adoption-surrogacy-hint = A child sold or given for adoption illegally, or a woman forced into surrogacy.
category-other = Something else
category-other-hint = Another situation, or you are not sure which one fits.

form-title = Tell us what you know
form-intro = Answer what you can. Only the first question is needed. Leave out anything you do not know.
form-category-chosen = Kind of situation:
form-change-category = Change
form-required = (required)
form-errors-title-prefix = Error:
form-errors-heading = Please check these answers
form-submit = Send the report
form-expired = This form was open for a long time. Nothing you typed is lost: check your answers and send again.
form-store-failed = We could not save your report just now. Nothing you typed is lost: please send again in a moment.

what-heading = What happened
what-label = What did you see or hear?
what-hint = In your own words. Who, what, where, since when. You can write in any language.

where-heading = Where
where-country-label = Country
where-country-none = Not sure or prefer not to say
where-city-label = City, town or place
where-venue-label = Venue or address
where-venue-hint = For example the name of a hotel, restaurant, farm or website, or a street address.

when-heading = When
when-date-label = Date
when-date-hint = When you saw it, or when it started. Leave empty if you do not know.
when-still-happening = It is still happening

who-heading = Who is involved
who-count-label = How many people seem to be exploited?
who-count-hint = A number. Leave empty if you do not know.
who-ages-legend = About how old are they? (choose all that apply)
who-child-legend = Is a child (under 18) involved?
who-victims-label = Describe the people who seem to be exploited
who-victims-hint = For example appearance, languages spoken, clothes, where they sleep.
who-exploiters-label = Describe the people who seem to exploit them
who-exploiters-hint = For example names or nicknames, appearance, cars, how they behave.
age-0-11 = Under 12
age-12-17 = 12 to 17
age-18-24 = 18 to 24
age-25-plus = 25 or older
age-unknown = I do not know
child-yes = Yes
child-no = No
child-unsure = I am not sure

signs-heading = Warning signs
signs-legend = Did you notice any of these? (choose all that apply)
sign-immediate-danger = Someone is in danger right now
sign-cannot-leave = They cannot leave or move around freely
sign-documents-taken = Someone else keeps their passport or identity papers
sign-debt = They owe money they cannot pay back, for travel, housing or a job
sign-threats-violence = Threats, violence or injuries
sign-little-or-no-pay = They are paid little or nothing, or someone else takes their money
sign-excessive-hours = Very long hours, no days off
sign-lives-at-work = They live where they work, or where their boss decides
sign-controlled-or-watched = Someone else speaks for them or watches them all the time
sign-fearful-or-coached = They seem afraid, or seem to repeat what they were told to say
sign-looks-under-18 = They look younger than 18
sign-isolated-no-address = They do not know where they are, or do not speak the local language

ids-heading = Phone numbers, addresses and other details
ids-intro = Details like these help us link reports about the same people. Give any you have.
ids-one-per-line = One per line.
ids-phones-label = Phone numbers
ids-emails-label = E-mail addresses
ids-websites-label = Websites or adverts (web addresses)
ids-social-label = Social media accounts or usernames
ids-plates-label = Vehicle number plates

files-heading = Photos or documents
files-label = Add photos or PDF documents (optional)
files-hint = Up to { $max } files, { $size } MB each, JPEG, PNG or PDF. We remove hidden information such as location, camera and author before storing them. Never send pictures of child sexual abuse.
files-choose-again = Your files ({ $names }) were not kept. Please choose them again.

abuse-heading = Where is the material?
abuse-intro = Give the web address only. Do not download, copy or send the pictures or videos: that is a crime in itself, even to report it.
abuse-url-label = Web address (URL)
abuse-url-hint = Copy the address from your browser's address bar, for example https://example.com/page.
abuse-where-label = Where did you find it?
abuse-where-hint = For example a website, a social network, a chat app or a file-sharing service.
abuse-comment-label = Anything else we should know? (optional)
abuse-comment-hint = For example how you came across it, or other addresses.

contact-heading = Stay anonymous or leave contact details
contact-legend = Do you want to stay anonymous?
contact-anonymous = Yes, stay anonymous (recommended)
contact-leave-details = No, I will leave contact details so the hotline can reach me
contact-hint = Only if you chose to leave contact details: tell us how to reach you safely. If you stay anonymous, anything typed below is thrown away.
contact-name-label = Name or nickname
contact-email-label = E-mail address
contact-phone-label = Phone number

confirm-title = Thank you, your report has been received
confirm-repeated = This report had already been received; it was not filed twice.
confirm-receipt-heading = Your receipt code
confirm-receipt-keep = Write this code down or keep it somewhere safe. With it you can come back, see what happened to your report and answer our questions, still anonymously.
confirm-receipt-once = We do not store this code and cannot show it to you again.
confirm-next-heading = What happens next
confirm-next-read = A trained member of the hotline reads your report, usually within a few working days.
confirm-next-forward = If it needs action, we pass it to the police or the competent authority, here or in another country.
confirm-next-come-back = Come back with your receipt code to see its status or answer questions.
confirm-another = Make another report

error-required = Please answer this question.
error-too-long = This answer is too long. Please shorten it.
error-too-many = There are too many entries. Please give at most 50.
error-invalid-choice = Please choose one of the options offered.
error-choose-category = Choose the kind of situation.
error-date = Enter the date as year, month and day, for example 2026-03-31.
error-date-future = The date cannot be in the future.
error-people-count = Enter a number from 1 to 10000, or leave it empty.
error-contact-needed = To be contacted, give an e-mail address or a phone number, or choose to stay anonymous.
error-email = Enter an e-mail address like name@example.org.
error-url = Enter a web address like https://example.com/page.
error-attachment-too-large = A file is too large. Each file can be up to { $size } MB.
error-attachment-unsupported = A file is not a JPEG, PNG or PDF. Please choose photos or PDF documents only.
error-attachment-unreadable = A file could not be read. It may be damaged; please try another.
error-attachment-too-many = Too many files. You can add up to { $max }.
error-reference = If you contact the hotline about this, quote: { $reference }

message-home = Back to the start
page-not-found-title = Page not found
page-not-found-text = This page does not exist. Check the address, or go back to the start.
too-many-title = Please wait a moment
too-many-text = We are receiving many reports right now. Please wait a minute and try again; nothing is lost if you go back to your form.
too-large-title = The report is too large
too-large-text = Your files together are too large. Go back, choose fewer or smaller files, and send again.
server-error-title = Something went wrong
server-error-text = We could not complete this. Please try again in a moment. If it keeps happening, contact the hotline by phone.
bad-request-title = We could not read this form
bad-request-text = The form could not be read. Go back to the start and try again.

api-problem-validation = Some fields are missing or wrong
api-problem-malformed-body = The request body could not be read
api-problem-unsupported-media-type = Send application/json, or multipart/form-data with a JSON part named report
api-problem-too-large = The request is too large
api-problem-rate-limited = Too many reports right now; retry after a minute
api-problem-unavailable = The report could not be stored; retry with the same Idempotency-Key
