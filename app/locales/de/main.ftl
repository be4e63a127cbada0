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
