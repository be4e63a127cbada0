# Texte der Seiten, Deutsch. Jeder Schlüssel steht auch in ../en/main.ftl.

## Rahmen
app-name = Zeugnis
skip-to-content = Zum Inhalt springen
nav-label = Hauptnavigation
nav-overview = Übersicht
nav-references = Zeugnisse
nav-employees = Mitarbeiter
nav-account = Konto
logout = Abmelden
lang-other = English
footer-privacy = Personenbezogene Daten werden verschlüsselt gespeichert.
format-time = { $time } Uhr

## Anmeldung
login-title = Anmelden
login-intro = Melden Sie sich mit Ihrer E-Mail-Adresse und Ihrem Passwort bei { $org } an.
login-email = E-Mail-Adresse
login-password = Passwort
login-submit = Anmelden
login-forgot = Passwort vergessen?
login-failed = E-Mail-Adresse oder Passwort stimmen nicht, oder das Konto ist gesperrt. Nach fünf Fehlversuchen in Folge wird ein Konto gesperrt.
login-too-many = { $count ->
    [one] Zu viele Fehlversuche von dieser Adresse. Bitte warten Sie eine Minute.
   *[other] Zu viele Fehlversuche von dieser Adresse. Bitte warten Sie { $count } Minuten.
}
login-password-disabled = Die Anmeldung mit Passwort ist für diese Organisation abgeschaltet. Bitte melden Sie sich mit Ihrem Microsoft-Konto an.
login-expired = Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an; danach geht es dort weiter, wo Sie waren.
login-logged-out = Sie haben sich abgemeldet.

## Passwort vergessen
forgot-title = Passwort vergessen
forgot-intro = Geben Sie die E-Mail-Adresse Ihres Kontos ein. Sie erhalten einen Link, mit dem Sie ein neues Passwort festlegen; er gilt 30 Minuten.
forgot-submit = Link anfordern
forgot-sent = Wenn die Adresse zu einem aktiven Konto gehört, ist der Link unterwegs. Er gilt 30 Minuten und nur einmal.
forgot-back = Zurück zur Anmeldung

## Zweiter Faktor
factor-title = Bestätigung
factor-intro = Bestätigen Sie die Anmeldung mit Ihrem zweiten Faktor.
factor-method = Verfahren
factor-method-totp = Code aus der Authenticator-App
factor-method-sms = Code per SMS
factor-method-recovery = Wiederherstellungscode
factor-code = Code
factor-submit = Bestätigen
factor-send-sms = Code per SMS senden
factor-sms-sent = Der Code ist per SMS unterwegs. Er gilt fünf Minuten.
factor-wrong = Der Code stimmt nicht oder ist abgelaufen. Jeder falsche Code zählt als Fehlversuch.
factor-too-soon = Ein Code wurde gerade erst gesendet. Bitte warten Sie einen Moment.
enrol-title = Authenticator-App einrichten
enrol-intro = Ihre Organisation verlangt einen zweiten Faktor. Scannen Sie den QR-Code mit einer Authenticator-App und geben Sie den angezeigten Code ein.
enrol-qr-alt = QR-Code für die Authenticator-App
enrol-manual = Schlüssel zum Eintippen anzeigen
enrol-code-hint = Der sechsstellige Code, den die App jetzt anzeigt.
enrol-submit = Einrichten und anmelden
recovery-title = Wiederherstellungscodes
recovery-intro = Bewahren Sie diese Codes sicher auf. Jeder Code ersetzt einmal die App, falls Sie sie verlieren. Sie werden nur jetzt angezeigt.
recovery-continue = Weiter

## Übersicht
overview-title = Übersicht
overview-greeting = Guten Tag, { $name }.
overview-counts = Zeugnisse nach Status
overview-waiting = Wartet auf jemanden
overview-waiting-empty = Kein Zeugnis wartet gerade auf eine Bewertung oder Freigabe.
overview-overdue = überfällig
overview-overdue-note = { $count ->
    [one] Als überfällig markiert: seit mehr als einem Tag im selben Status.
   *[other] Als überfällig markiert: seit mehr als { $count } Tagen im selben Status.
}
overview-days = { $count ->
    [0] heute
    [one] 1 Tag
   *[other] { $count } Tage
}
overview-my-drafts = Meine Entwürfe
overview-my-drafts-empty = Sie haben keine offenen Entwürfe. Unter „Zeugnisse“ legen Sie ein neues Zeugnis an.
overview-no-access = Ihre Rolle erlaubt keinen Zugriff auf Zeugnisse. Wenden Sie sich an Ihre Administration.
holder-hr = Personalabteilung
employee-gone = (Datensatz gelöscht)
col-employee = Mitarbeiter/in
col-kind = Art
col-status = Status
col-holder = Liegt bei
col-since = Seit

## Zeugnisse
references-title = Zeugnisse
references-new = Neues Zeugnis
references-new-no-employees = Es gibt noch keine Mitarbeiterdaten, für die Sie ein Zeugnis anlegen können.
references-new-choose = Bitte wählen Sie Mitarbeiter/in und Art des Zeugnisses.
references-private = Privat
references-private-hint = Ein privates Zeugnis sehen nur Sie und Personen mit uneingeschränktem Zugriff.
references-create = Zeugnis anlegen
references-created = Das Zeugnis ist angelegt.
references-filter-label = Zeugnisse filtern
references-search = Name suchen
references-all = Alle
references-apply = Anzeigen
references-reset = Filter zurücksetzen
references-none = Noch keine Zeugnisse. Legen Sie mit „Neues Zeugnis“ das erste an.
references-none-found = Kein Zeugnis passt zu diesen Filtern.
references-private-badge = privat
references-next = Weitere Zeugnisse
col-waiting = Wartet seit
col-created = Angelegt

## Konto
account-title = Konto
account-me = Ihre Angaben
account-name = Name
account-role = Rolle
account-password = Passwort ändern
account-current = Aktuelles Passwort
account-new = Neues Passwort
account-new-hint = Es muss den Passwortregeln Ihrer Organisation genügen und darf in keiner Liste bekannter Passwörter stehen. Ihre anderen Sitzungen werden danach beendet.
account-repeat = Neues Passwort wiederholen
account-repeat-differs = Die beiden neuen Passwörter stimmen nicht überein.
account-current-wrong = Das aktuelle Passwort stimmt nicht. Jeder Fehlversuch zählt wie bei der Anmeldung.
account-change-password = Passwort ändern
account-password-changed = Ihr Passwort ist geändert. Ihre anderen Sitzungen sind beendet.
account-sessions = Ihre Sitzungen
account-sessions-hint = Jedes Gerät und jeder Browser, in dem Sie angemeldet sind. Beenden Sie Sitzungen, die Sie nicht kennen.
account-session-started = Angemeldet am
account-session-last-seen = Zuletzt aktiv
account-session-action = Aktion
account-session-current = diese Sitzung
account-session-ended = Die Sitzung ist beendet.
account-end-all = Überall abmelden

## Mitarbeiter
employees-title = Mitarbeiter
employees-search-label = Mitarbeiter suchen
employees-organisation = Unternehmen · Abteilung · Standort
employees-entry = Eintritt
employees-exit = Austritt
employees-none = Noch keine Mitarbeiterdaten in Ihrem Bereich.
employees-none-found = Niemand in Ihrem Bereich passt zu dieser Suche.
employees-next = Weitere Mitarbeiter
search-too-short = Bitte geben Sie mindestens zwei Zeichen ein.

## Status und Arten
status-requested = Angefordert
status-draft = Entwurf
status-with-supervisor = Bei Vorgesetzten
status-in-approval = In Freigabe
status-approved = Freigegeben
status-completed = Ausgestellt
status-archived = Archiviert
kind-interim = Zwischenzeugnis
kind-final = Endzeugnis

## Fehler
error-title = Das hat nicht geklappt
error-back = Zur Übersicht
error-csrf = Das Formular ist abgelaufen. Bitte laden Sie die Seite neu und senden Sie es erneut.
error-summary = Bitte prüfen Sie die markierten Felder.
error-not-found = Diese Seite gibt es nicht, oder Sie haben keinen Zugriff darauf.
error-forbidden = Dafür fehlt Ihrer Rolle die Berechtigung.
error-conflict = Jemand anderes hat die Daten inzwischen geändert. Bitte laden Sie die Seite neu.
error-too-many = Zu viele Versuche. Bitte warten Sie einen Moment.
error-unavailable = Der Dienst ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen Sekunden erneut.
error-internal = Ein interner Fehler ist aufgetreten. Er wurde protokolliert; bitte versuchen Sie es später erneut.
field-required = Bitte füllen Sie dieses Feld aus.

## Zeugnis bearbeiten
references-deleted = Das Zeugnis ist gelöscht.
editor-title = Zeugnis
editor-title-of = Zeugnis für { $name }
editor-back = ← Alle Zeugnisse
editor-created = angelegt am { $date }
editor-groups-label = Abschnitte des Zeugnisses
editor-group-master = Stammdaten
editor-group-work = Tätigkeit
editor-group-rating = Bewertung
editor-group-result = Ergebnis
editor-read-only = Ihre Rolle erlaubt hier nur das Lesen.
editor-locked = Im Status „{ $status }“ kann das Zeugnis nicht mehr geändert werden. Zum Ändern setzen Sie es unter „Ablauf“ zurück in den Entwurf.
editor-save = Speichern
editor-save-generate = Speichern und Text erzeugen
editor-save-check = Speichern und prüfen
editor-saved = Die Änderungen sind gespeichert.
editor-generated = Der Text ist erzeugt. Sie finden ihn unter „Ergebnis“ und in der Vorschau.
editor-unchanged = Der Text ist bereits auf dem neuesten Stand.
editor-adopted = Die gewählten Vorschläge sind übernommen.
editor-status-changed = Der Status ist geändert.
editor-nothing-changed = Nichts geändert: Sie haben keinen Vorschlag ausgewählt.
editor-check-fields = Bitte prüfen Sie die markierten Felder. Es wurde nichts gespeichert.
editor-errors-title = Bitte prüfen Sie diese Angaben
editor-date-hint = Format: TT.MM.JJJJ
editor-none-chosen = – keine Angabe –
editor-salutation = Anrede
editor-title-field = Titel
editor-first-name = Vorname
editor-last-name = Nachname
editor-birth-date = Geburtsdatum
editor-birth-place = Geburtsort
editor-entry-date = Eintrittsdatum
editor-exit-date = Austrittsdatum (Zwischenzeugnis: Ausstellungsanlass)
editor-issue-reason = Grund
editor-reference-data-hint = Ohne Überschrift gilt „Arbeitszeugnis“ oder „Zwischenzeugnis“; ohne Datum das Austrittsdatum bzw. das heutige Datum.
editor-heading = Überschrift
editor-place = Ort
editor-issue-date = Ausstellungsdatum
editor-company = Beschreibung des Unternehmens
editor-signatures-hint = Wählen Sie eine Person aus Ihrem Bereich oder geben Sie nur den Namen ein. Leere Zeilen werden nicht gedruckt.
editor-signer-by-name = – nur mit Namen –
editor-signer-employee = Unterschrift { $n }: Person
editor-signer-name = Unterschrift { $n }: Name
editor-signer-position = Unterschrift { $n }: Funktion
editor-further = Bemerkungen
editor-further-hint = Interne Notizen; sie erscheinen nicht im Zeugnis.
editor-position = Position
editor-department = Abteilung
editor-job-profile = Berufsbild
editor-task-items = Tätigkeiten
editor-task-items-hint = Eine Tätigkeit je Zeile. Leer lassen, um die Tätigkeiten des Berufsbilds zu übernehmen.
editor-lines = Einträge
editor-lines-hint = Ein Eintrag je Zeile; die Reihenfolge der Zeilen ist die im Zeugnis.
editor-performance-hint = Neben jeder Note steht der Satz, den sie im Zeugnis ergibt. Die Gesamtnote ist der gerundete Durchschnitt.
editor-conduct-hint = Vorgesetzte und Kolleginnen/Kollegen gehören in jedes Zeugnis; Kundinnen/Kunden, wo die Stelle sie hat.
editor-qualifications-library = Aus der Bibliothek
editor-qualifications-other = Weitere Qualifikationen
editor-result = Zeugnistext
editor-result-hint = Der Text entsteht mit „Speichern und Text erzeugen“. Von Hand geänderter Text wird nie still überschrieben: Sie sehen dann die Vorschläge Satz für Satz.
field-required-mark = (Pflichtfeld)
field-too-long = { $line ->
    [0] Zu lang: höchstens 500 Zeichen.
   *[other] Zeile { $line } ist zu lang: höchstens 500 Zeichen.
}
field-bad-characters = { $line ->
    [0] Enthält unzulässige Zeichen (Zeilenumbrüche oder Steuerzeichen).
   *[other] Zeile { $line } enthält unzulässige Zeichen.
}
field-bad-date = Bitte geben Sie ein gültiges Datum ein, z. B. 31.03.2026.
field-too-many-lines = Höchstens 100 Einträge.
field-text-too-long = Der Text ist zu lang (höchstens 100.000 Zeichen).
field-bad-choice = Bitte wählen Sie einen der angebotenen Werte.
grade-1 = 1 – sehr gut
grade-2 = 2 – gut
grade-3 = 3 – befriedigend
grade-4 = 4 – ausreichend
grade-5 = 5 – mangelhaft
grade-none = nicht bewertet
section-data = Daten
section-personal = Persönliche Daten
section-company = Unternehmen
section-reference-data = Zeugnisdaten
section-further = Weitere Angaben
section-signatures = Unterschriften
section-career = Werdegang
section-stations = Stationen
section-tasks = Tätigkeiten
section-additional-tasks = Zusatztätigkeiten
section-training = Weiterbildungen
section-powers = Vollmachten
section-performance = Bewertung (Leistung)
section-conduct = Bewertung (Verhalten)
section-qualifications = Qualifikationen
section-achievements = Erfolge
section-result = Ergebnis
criterion-willingness = Bereitschaft
criterion-ability = Befähigung
criterion-knowledge = Wissen
criterion-further-training = Weiterbildung
criterion-working-style = Arbeitsweise
criterion-work-results = Arbeitserfolg
criterion-leadership = Führungserfolg (nur Führungskräfte)
criterion-conduct-internal = Verhalten intern
criterion-conduct-external = Verhalten extern
criterion-final-exam = Ergebnis Abschlussprüfung (Auszubildende)
criterion-attributes = Persönliche Eigenschaften
conduct-superiors = Verhalten gegenüber Vorgesetzten
conduct-colleagues = Verhalten gegenüber Kolleginnen und Kollegen
conduct-customers = Verhalten gegenüber Kundinnen und Kunden
reason-employee-resignation = Kündigung durch Mitarbeiter/in
reason-employer-termination = Kündigung durch das Unternehmen
reason-mutual-agreement = Aufhebungsvertrag
reason-fixed-term-end = Ende der Befristung
reason-retirement = Ruhestand
reason-change-of-supervisor = Wechsel der Führungskraft
reason-reorganisation = Umstrukturierung
reason-employee-request = Wunsch der Mitarbeiterin / des Mitarbeiters
reason-other = Sonstiger Grund
salutation-frau = Frau
salutation-herr = Herr
salutation-none = Keine (ohne Anrede)
preview-title = Vorschau
preview-check = Text prüfen
preview-pdf = PDF ansehen
preview-letter-label = Vorschau des Zeugnisses
preview-empty = Noch kein Text. Bewerten Sie Leistung und Verhalten und wählen Sie „Speichern und Text erzeugen“.
check-title = Prüfung
check-clean = Die Prüfung hat nichts gefunden.
check-found = { $count ->
    [one] Die Prüfung hat einen Hinweis gefunden.
   *[other] Die Prüfung hat { $count } Hinweise gefunden.
}
check-no-text = Es gibt noch keinen Text. Erzeugen oder schreiben Sie ihn zuerst.
check-to-sentence = zum Satz { $n }
finding-closing-missing = Schlussformel fehlt
finding-closing-weakened = Schlussformel abgeschwächt
finding-conduct-missing = Verhaltensbeurteilung fehlt
finding-conduct-group-missing = Gruppe in der Verhaltensbeurteilung fehlt
finding-conduct-order = Reihenfolge der Verhaltensbeurteilung
finding-grade-mismatch = Gesamtnote passt nicht
finding-tense-mismatch = Zeitform
finding-pronoun-inconsistent = Pronomen
finding-protected-characteristic = Geschütztes Merkmal
generate-missing-personal = Für den Text fehlen die persönlichen Daten (mindestens Vor- und Nachname).
generate-no-ratings = Für den Text fehlt die Leistungsbeurteilung: Bitte bewerten Sie mindestens ein Kriterium.
generate-missing-conduct = Für den Text fehlt das Verhalten gegenüber Vorgesetzten und Kolleginnen/Kollegen.
proposal-title = Vorschläge übernehmen
proposal-kept = Der Text wurde von Hand geändert und ist unverändert geblieben. Wählen Sie, welche Vorschläge Sie übernehmen.
proposal-intro = Satz für Satz: was der neu erzeugte Text anders schreibt. Angehakte Vorschläge werden übernommen, alles andere bleibt, wie Sie es geschrieben haben.
proposal-hint = Ein geänderter Satz erscheint zweimal: einmal als „entfällt“ und einmal als „neu“. Haken Sie beide an, um ihn zu ersetzen.
proposal-adopt-chosen = Ausgewählte übernehmen
proposal-adopt-all = Alle Vorschläge übernehmen
proposal-keep = Meinen Text behalten
proposal-back = ← Zurück zum Zeugnis
proposal-stale = Das Zeugnis oder der Vorschlag hat sich inzwischen geändert. Bitte erzeugen Sie den Text erneut.
diff-same = unverändert
diff-added = neu
diff-removed = entfällt
conflict-title = Inzwischen geändert
conflict-intro = Während Sie bearbeitet haben, wurden diese Abschnitte geändert:
conflict-intro-unknown = Während Sie bearbeitet haben, wurde das Zeugnis geändert.
conflict-by = Zuletzt geändert von { $by }.
conflict-choice = Ihre Eingaben stehen unten noch im Formular; gespeichert ist nichts. Laden Sie neu, um die aktuelle Fassung zu sehen (Ihre Eingaben gehen dabei verloren), oder speichern Sie erneut, um die Abschnitte mit Ihren Eingaben zu überschreiben.
conflict-reload = Aktuelle Fassung laden
workflow-title = Ablauf
workflow-now = Aktueller Status: { $status }
workflow-none = Aus diesem Status geht es nicht weiter.
workflow-hand-over-hint = Zur Bewertung an eine Führungskraft geben Sie das Zeugnis mit einer Übergabe.
transition-requested = Als angefordert markieren
transition-draft = Zurück in den Entwurf
transition-with-supervisor = An Vorgesetzte übergeben
transition-in-approval = Zur Freigabe geben
transition-approved = Freigeben
transition-completed = Als ausgestellt markieren
transition-archived = Archivieren
transition-unknown = Diesen Status gibt es nicht.
transition-refused = Aus dem Status „{ $from }“ ist das nicht möglich.
transition-allowed = Möglich ist: { $allowed }.
transition-final = Es ist der letzte Status.
transition-by-handover = Zu Vorgesetzten gelangt ein Zeugnis nur über eine Übergabe.
history-title = Verlauf
history-statuses = Statuswechsel
history-no-statuses = Noch kein Statuswechsel.
history-handovers = Übergaben
history-no-handovers = Noch keine Übergabe.
history-changes = Änderungsprotokoll
history-no-changes = Keine Einträge. Änderungen werden protokolliert, wenn die Änderungsverfolgung in den Datenschutzeinstellungen eingeschaltet ist.
history-by-former-user = (ehemaliger Benutzer)
history-by-link = Empfänger/in des Links
history-by-system = System
col-when = Wann
col-from = Von
col-to = Nach
col-by = Wer
col-recipient = Empfänger/in
col-handed-over = Übergeben am
col-finished = Abgeschlossen am
col-section = Abschnitt
col-before = Vorher
col-after = Nachher
link-active = offen
link-revoked = widerrufen
link-finished = abgeschlossen
link-expired = abgelaufen
link-blocked = gesperrt
delete-title = Zeugnis löschen
delete-explain = Das Zeugnis wird mit Verlauf, Änderungsprotokoll und Übergaben endgültig gelöscht. Offene Links funktionieren danach nicht mehr. Das lässt sich nicht rückgängig machen.
delete-confirm = Ja, dieses Zeugnis endgültig löschen
delete-submit = Endgültig löschen
delete-confirm-missing = Bitte bestätigen Sie das Löschen mit dem Häkchen.

## Übergabe
handover-title = Übergabe an Vorgesetzte
handover-intro = Die Person erhält per E-Mail einen Link; ein Konto braucht sie nicht. Sie entscheiden, welche Abschnitte sie lesen oder bearbeiten darf.
handover-check-fields = Bitte prüfen Sie die markierten Angaben. Das Zeugnis wurde nicht übergeben.
handover-recipient = Empfänger/in
handover-name = Name
handover-email = E-Mail-Adresse
handover-email-hint = An diese Adresse geht der Link.
handover-domains = An diese Adresse geht der Link. Erlaubt sind Adressen bei: { $domains }
handover-phone = Mobilnummer
handover-phone-hint = Nur für den Code per SMS, im Format +49 170 1234567.
handover-grid = Zugriff je Abschnitt
handover-grid-hint = „Lesen“ zeigt einen Abschnitt, „Schreiben“ erlaubt auch Änderungen. Abschnitte mit „Kein Zugriff“ sieht die Person nicht.
handover-presets = Vorlagen:
handover-preset-assessment = Vorgesetzte/r: Bewertung schreiben
handover-preset-read = Nur lesen
handover-printed = gedruckt
access-none = Kein Zugriff
access-read = Lesen
access-write = Schreiben
handover-download = Herunterladen des PDF erlauben
handover-download-hint = Das PDF zeigt diese Abschnitte; zum Herunterladen braucht die Person darauf mindestens Lesezugriff: { $sections }.
handover-link = Link
handover-code = Einmal-Code beim Öffnen
handover-code-none = Kein Code
handover-code-email = Code per E-Mail
handover-code-sms = Code per SMS
handover-expiry = Gültig für (Tage)
handover-expiry-hint = Zwischen 1 und 365 Tagen.
handover-submit = Übergeben und Link senden
handover-cancel = Abbrechen
handover-name-invalid = Bitte geben Sie den Namen ein (eine Zeile, höchstens 200 Zeichen).
handover-email-invalid = Bitte geben Sie eine gültige E-Mail-Adresse ein, z. B. name@firma.de.
handover-phone-invalid = Bitte geben Sie die Nummer im internationalen Format ein, z. B. +49 170 1234567.
handover-phone-required = Für den Code per SMS fehlt die Mobilnummer.
handover-channel-refused = Dieser Weg für den Code ist in den Datenschutzeinstellungen nicht erlaubt.
handover-expiry-invalid = Bitte wählen Sie zwischen 1 und 365 Tagen.
handover-domain-refused = An Adressen bei { $domain } darf nicht übergeben werden; die Datenschutzeinstellungen erlauben nur bestimmte Domains.
handover-download-needs-read = Zum Herunterladen braucht die Person Lesezugriff auf: { $sections }.
handover-not-editable = In diesem Status kann das Zeugnis nicht übergeben werden.
handover-created = Das Zeugnis ist übergeben. Der Link ist per E-Mail unterwegs.
handover-revoked = Die Übergabe ist widerrufen; der Link funktioniert nicht mehr.
handover-revoke-late = Die Übergabe war schon beendet.
handover-revoke = Widerrufen
handover-revoke-explain = Der Link funktioniert danach sofort nicht mehr.
handover-revoke-confirm = Ja, widerrufen
workflow-hand-over = Übergeben …

## Mitarbeiter anlegen und bearbeiten
employees-none-next = Legen Sie mit „Neuer Mitarbeiter“ den ersten an.
employee-new = Neuer Mitarbeiter
employee-create = Mitarbeiter anlegen
employee-back = ← Alle Mitarbeiter
employee-created = Der Mitarbeiter ist angelegt. Jetzt können Sie ein Zeugnis anlegen.
employee-deleted = Der Mitarbeiterdatensatz ist gelöscht.
employee-record = Stammdaten
employee-contact = Kontakt
employee-street = Straße und Hausnummer
employee-postcode = Postleitzahl
employee-city = Ort
employee-employment = Beschäftigung
employee-exit-date = Austrittsdatum
employee-exit-reason = Austrittsgrund
employee-jobs = Tätigkeitsbezeichnungen
employee-jobs-hint = Eine je Zeile; die erste wird als Position ins Zeugnis übernommen.
employee-interruptions = Unterbrechungen
employee-interruptions-hint = Zum Beispiel Elternzeit. Eine leere Zeile wird nicht gespeichert.
employee-interruption-from = Unterbrechung { $n }: von
employee-interruption-to = Unterbrechung { $n }: bis
employee-interruption-reason = Unterbrechung { $n }: Grund
employee-powers-hint = Zum Beispiel Prokura oder Handlungsvollmacht.
employee-power-kind = Vollmacht { $n }: Art
employee-power-since = Vollmacht { $n }: seit
employee-organisation = Organisation
employee-organisation-hint = Diese Angaben entscheiden, wer die Zeugnisse sehen darf (Zugriffsberechtigung).
employee-company = Unternehmen
employee-location = Standort
employee-unit = Organisationseinheit
employee-type = Arbeitnehmertyp
employee-references = Zeugnisse
employee-no-references = Noch kein Zeugnis.
employee-conflict = Jemand anderes hat den Datensatz inzwischen geändert. Ihre Eingaben stehen noch im Formular; speichern Sie erneut, um die Änderungen zu überschreiben, oder laden Sie die Seite neu.
employee-outside-scope = Diese Organisationsangaben liegen außerhalb Ihrer Zugriffsberechtigung.
employee-still-named = Der Datensatz kann nicht gelöscht werden, solange ein Zeugnis die Person nennt.
employee-still-named-explain = Die Person wird noch in einem Zeugnis genannt – als Mitarbeiter/in oder als Unterzeichner/in. Löschen oder ändern Sie zuerst diese Zeugnisse.
employee-delete-title = Mitarbeiterdatensatz löschen
employee-delete-explain = Der Datensatz wird endgültig gelöscht. Das geht nur, solange kein Zeugnis die Person nennt.
employee-delete-confirm = Ja, diesen Datensatz endgültig löschen
field-bad-email = Bitte geben Sie eine gültige E-Mail-Adresse ein, z. B. name@firma.de.
field-exit-before-entry = Das Austrittsdatum liegt vor dem Eintrittsdatum.
field-born-after-entry = Das Geburtsdatum muss vor dem Eintrittsdatum liegen.
field-interruption-reversed = Eine Unterbrechung endet vor ihrem Beginn.
field-outside-scope = Außerhalb Ihrer Zugriffsberechtigung.
field-choose = – bitte wählen –

## Der Link für Vorgesetzte
link-open-title = Zeugnis öffnen
link-open-intro = Die Personalabteilung bittet Sie um Ihre Mitwirkung an einem Arbeitszeugnis. Ein Konto brauchen Sie dafür nicht.
link-open-button = Zeugnis öffnen
link-open-hint = Der Link gilt nur für Sie. Geben Sie ihn bitte nicht weiter.
link-code-title = Bestätigungscode
link-code-by-email = Wir haben Ihnen einen Bestätigungscode per E-Mail geschickt. Er gilt fünf Minuten.
link-code-by-sms = Wir haben Ihnen einen Bestätigungscode per SMS geschickt. Er gilt fünf Minuten.
link-code-again = Geben Sie den Bestätigungscode ein, den wir Ihnen geschickt haben.
link-code-wrong = Der Code stimmt nicht.
link-code-wrong-left = { $count ->
    [one] Der Code stimmt nicht. Sie haben noch einen Versuch.
   *[other] Der Code stimmt nicht. Sie haben noch { $count } Versuche.
}
link-code-expired = Der Code ist abgelaufen oder schon benutzt. Öffnen Sie den Link aus der E-Mail bitte erneut; Sie erhalten einen neuen Code.
link-closed-title = Link nicht verfügbar
link-invalid = Dieser Link ist ungültig. Öffnen Sie ihn bitte direkt aus der E-Mail.
link-revoked-page = Die Personalabteilung hat diesen Link zurückgezogen.
link-finished-page = Die Bearbeitung wurde bereits abgeschlossen. Vielen Dank.
link-expired-page = Dieser Link ist abgelaufen. Bitte wenden Sie sich an die Personalabteilung.
link-blocked-page = Dieser Link wurde nach zu vielen falschen Codes gesperrt. Bitte wenden Sie sich an die Personalabteilung.
link-no-channel = Für diesen Link ist ein Bestätigungscode nötig, aber kein erlaubter Weg erreicht Sie. Bitte wenden Sie sich an die Personalabteilung.
link-session-ended = Ihre Sitzung ist beendet. Öffnen Sie den Link aus der E-Mail bitte erneut.
link-work-title = Mitwirkung am Arbeitszeugnis
link-work-intro = Die Personalabteilung hat die Abschnitte freigegeben, die Sie hier sehen. Ändern Sie, was Sie ändern dürfen, speichern Sie, und schließen Sie die Bearbeitung ab, wenn Sie fertig sind.
link-work-intro-read = Die Personalabteilung hat Ihnen diese Abschnitte zum Lesen freigegeben.
link-valid-until = Der Link gilt bis { $date }.
link-read-only = nur lesen
link-saved = Gespeichert. Die Vorschau zeigt den Text mit Ihren Angaben.
link-finish-title = Fertig?
link-finish-explain = Mit dem Abschluss geht das Zeugnis zurück an die Personalabteilung; der Link funktioniert danach nicht mehr.
link-finish = Bearbeitung abschließen
link-thanks-title = Vielen Dank
link-thanks = Ihre Angaben sind bei der Personalabteilung. Sie können dieses Fenster schließen.
link-preview-hint = So liest sich der Entwurf nach dem letzten Speichern.
link-no-text = Den Zeugnistext sehen Sie hier, sobald die Personalabteilung ihn für Sie freigegeben hat.
link-performance-hint = Wählen Sie je Kriterium eine Note; „nicht bewertet“ lässt ein Kriterium aus. Nach dem Speichern zeigt die Vorschau den Text.

## Konto: zweiter Faktor
account-factors = Zweiter Faktor
account-factors-hint = Ein zweiter Faktor schützt Ihr Konto, auch wenn jemand Ihr Passwort kennt. Jede Änderung verlangt Ihr aktuelles Passwort.
account-factor-on = eingerichtet
account-factor-off = nicht eingerichtet
account-factor-password-hint = Zur Bestätigung, dass Sie es sind.
account-enrol-start = App einrichten
account-enrol-intro = Scannen Sie den QR-Code mit Ihrer Authenticator-App und geben Sie den Code ein, den die App anzeigt.
account-enrol-confirm = Bestätigen
account-factor-remove = Entfernen
account-factor-removed = Der zweite Faktor ist entfernt.
account-sms-start = SMS-Codes einschalten
account-sms-confirm = Einschalten
account-sms-on = SMS-Codes sind eingeschaltet.
account-phone = an { $phone }
account-no-phone = Für SMS-Codes ist keine Mobilnummer hinterlegt. Die Administration kann sie eintragen.
reminder-send = Erinnerung senden
reminder-sent = Die Erinnerung ist unterwegs, mit einem neuen Link; der bisherige Link gilt nicht mehr.
reminder-today = Heute wurde schon erinnert. Eine weitere Erinnerung ist morgen möglich.

## Einrichtung, Einladung, neues Passwort
account-link-setup = Einrichtung
account-link-setup-intro = Legen Sie Ihre Organisation und das erste Administrator-Konto an.
account-link-welcome = Willkommen
account-link-welcome-intro = Legen Sie Ihr Passwort fest, um Ihr Konto zu aktivieren.
account-link-reset = Neues Passwort
account-link-reset-intro = Legen Sie ein neues Passwort fest. Danach sind alle Ihre Sitzungen beendet.
account-link-invalid = Dieser Link ist unvollständig. Öffnen Sie ihn bitte direkt aus der E-Mail.
account-link-password-hint = Es muss den Passwortregeln der Organisation genügen und darf in keiner Liste bekannter Passwörter stehen.
account-link-saved = Gespeichert. Sie können sich jetzt anmelden.
account-link-to-login = Zur Anmeldung
setup-organisation = Name der Organisation
setup-slug = Kurzname
setup-slug-hint = Für Adressen, z. B. acme: Kleinbuchstaben, Ziffern und Bindestriche.
