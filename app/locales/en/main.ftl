# Page texts, English. Every key is also in ../de/main.ftl.

## Frame
app-name = Zeugnis
skip-to-content = Skip to content
nav-label = Main navigation
nav-overview = Overview
nav-references = References
nav-employees = Employees
nav-account = Account
logout = Log out
lang-other = Deutsch
footer-privacy = Personal data is stored encrypted.
format-time = { $time }

## Login
login-title = Log in
login-intro = Log in to { $org } with your e-mail address and password.
login-email = E-mail address
login-password = Password
login-submit = Log in
login-forgot = Forgot your password?
login-failed = The e-mail address or password is wrong, or the account is locked. An account locks after five failed attempts in a row.
login-too-many = { $count ->
    [one] Too many failed attempts from this address. Please wait a minute.
   *[other] Too many failed attempts from this address. Please wait { $count } minutes.
}
login-password-disabled = Logging in with a password is switched off for this organisation. Please log in with your Microsoft account.
login-expired = Your session has expired. Please log in again; you will continue where you were.
login-logged-out = You have logged out.

## Forgot the password
forgot-title = Forgot your password
forgot-intro = Enter the e-mail address of your account. You will receive a link to set a new password; it is valid for 30 minutes.
forgot-submit = Send the link
forgot-sent = If the address belongs to an active account, the link is on its way. It is valid for 30 minutes and works once.
forgot-back = Back to the login

## Second factor
factor-title = Confirmation
factor-intro = Confirm the login with your second factor.
factor-method = Method
factor-method-totp = Code from the authenticator app
factor-method-sms = Code by text message
factor-method-recovery = Recovery code
factor-code = Code
factor-submit = Confirm
factor-send-sms = Send a code by text message
factor-sms-sent = The code is on its way by text message. It is valid for five minutes.
factor-wrong = The code is wrong or has expired. Every wrong code counts as a failed attempt.
factor-too-soon = A code was sent moments ago. Please wait a moment.
enrol-title = Set up an authenticator app
enrol-intro = Your organisation requires a second factor. Scan the QR code with an authenticator app and enter the code it shows.
enrol-qr-alt = QR code for the authenticator app
enrol-manual = Show the key to type in
enrol-code-hint = The six-digit code the app shows now.
enrol-submit = Set up and log in
recovery-title = Recovery codes
recovery-intro = Keep these codes safe. Each code replaces the app once if you lose it. They are shown only now.
recovery-continue = Continue

## Overview
overview-title = Overview
overview-greeting = Hello, { $name }.
overview-counts = References by status
overview-waiting = Waiting on someone
overview-waiting-empty = No reference is waiting on an assessment or an approval right now.
overview-overdue = overdue
overview-overdue-note = { $count ->
    [one] Marked overdue: in the same status for more than a day.
   *[other] Marked overdue: in the same status for more than { $count } days.
}
overview-days = { $count ->
    [0] today
    [one] 1 day
   *[other] { $count } days
}
overview-my-drafts = My drafts
overview-my-drafts-empty = You have no open drafts. Start a new reference under “References”.
overview-no-access = Your role gives no access to references. Please ask your administrators.
holder-hr = HR
employee-gone = (record deleted)
col-employee = Employee
col-kind = Kind
col-status = Status
col-holder = With
col-since = Since

## References
references-title = References
references-new = New reference
references-new-no-employees = There are no employee records yet for which you could start a reference.
references-new-choose = Please choose the employee and the kind of reference.
references-private = Private
references-private-hint = A private reference is seen only by you and by people with unrestricted access.
references-create = Start the reference
references-created = The reference has been started.
references-filter-label = Filter the references
references-search = Search a name
references-all = All
references-apply = Show
references-reset = Reset the filters
references-none = No references yet. Start the first with “New reference”.
references-none-found = No reference matches these filters.
references-private-badge = private
references-next = More references
col-waiting = Waiting for
col-created = Started

## Account
account-title = Account
account-me = Your details
account-name = Name
account-role = Role
account-password = Change the password
account-current = Current password
account-new = New password
account-new-hint = It must meet your organisation's password rules and be on no list of known passwords. Your other sessions end afterwards.
account-repeat = Repeat the new password
account-repeat-differs = The two new passwords differ.
account-current-wrong = The current password is wrong. Every failed attempt counts as at the login.
account-change-password = Change the password
account-password-changed = Your password has been changed. Your other sessions have ended.
account-sessions = Your sessions
account-sessions-hint = Every device and browser you are logged in on. End sessions you do not recognise.
account-session-started = Logged in at
account-session-last-seen = Last active
account-session-action = Action
account-session-current = this session
account-session-ended = The session has ended.
account-end-all = Log out everywhere

## Employees
employees-title = Employees
employees-search-label = Search the employees
employees-organisation = Company · Department · Location
employees-entry = Entry
employees-exit = Exit
employees-none = No employee records in your area yet.
employees-none-found = Nobody in your area matches this search.
employees-next = More employees
search-too-short = Please enter at least two characters.

## Statuses and kinds
status-requested = Requested
status-draft = Draft
status-with-supervisor = With the supervisor
status-in-approval = In approval
status-approved = Approved
status-completed = Issued
status-archived = Archived
kind-interim = Interim reference
kind-final = Final reference

## Errors
error-title = That did not work
error-back = To the overview
error-csrf = The form has expired. Please reload the page and send it again.
error-summary = Please check the marked fields.
error-not-found = This page does not exist, or you have no access to it.
error-forbidden = Your role lacks the permission for this.
error-conflict = Someone else has changed the data meanwhile. Please reload the page.
error-too-many = Too many attempts. Please wait a moment.
error-unavailable = The service cannot be reached right now. Please try again in a few seconds.
error-internal = An internal error occurred. It has been logged; please try again later.
field-required = Please fill in this field.

## Editing a reference
references-deleted = The reference has been deleted.
editor-title = Reference
editor-title-of = Reference for { $name }
editor-back = ← All references
editor-created = created on { $date }
editor-groups-label = Parts of the reference
editor-group-master = Master data
editor-group-work = Work
editor-group-rating = Assessment
editor-group-result = Result
editor-read-only = Your role only allows reading here.
editor-locked = In the status “{ $status }” the reference can no longer be changed. To change it, set it back to draft under “Workflow”.
editor-save = Save
editor-save-generate = Save and write the text
editor-save-check = Save and check
editor-saved = Your changes have been saved.
editor-generated = The text has been written. You find it under “Result” and in the preview.
editor-unchanged = The text is already up to date.
editor-adopted = The chosen suggestions have been taken over.
editor-status-changed = The status has been changed.
editor-nothing-changed = Nothing changed: you chose no suggestion.
editor-check-fields = Please check the marked fields. Nothing has been saved.
editor-errors-title = Please check these entries
editor-date-hint = Format: DD/MM/YYYY
editor-none-chosen = – not given –
editor-salutation = Salutation
editor-title-field = Title
editor-first-name = First name
editor-last-name = Last name
editor-birth-date = Date of birth
editor-birth-place = Place of birth
editor-entry-date = Entry date
editor-exit-date = Exit date (interim reference: date of issue)
editor-issue-reason = Reason
editor-reference-data-hint = Without a heading, “Arbeitszeugnis” or “Zwischenzeugnis” is printed; without a date, the exit date or today.
editor-heading = Heading
editor-place = Place
editor-issue-date = Date of issue
editor-company = Description of the company
editor-signatures-hint = Choose a person within your access or give the name only. Empty rows are not printed.
editor-signer-by-name = – by name only –
editor-signer-employee = Signature { $n }: person
editor-signer-name = Signature { $n }: name
editor-signer-position = Signature { $n }: function
editor-further = Remarks
editor-further-hint = Internal notes; they do not appear in the reference.
editor-position = Position
editor-department = Department
editor-job-profile = Job profile
editor-task-items = Tasks
editor-task-items-hint = One task per line. Leave empty to take the job profile's tasks.
editor-lines = Entries
editor-lines-hint = One entry per line; the order of the lines is the order in the reference.
editor-performance-hint = Beside each grade stands the sentence it gives in the reference. The overall grade is the rounded average.
editor-conduct-hint = Superiors and colleagues belong in every reference; customers where the job has them.
editor-qualifications-library = From the library
editor-qualifications-other = Further qualifications
editor-result = Reference text
editor-result-hint = The text is written by “Save and write the text”. A text changed by hand is never overwritten silently: you then see the suggestions sentence by sentence.
field-required-mark = (required)
field-too-long = { $line ->
    [0] Too long: at most 500 characters.
   *[other] Line { $line } is too long: at most 500 characters.
}
field-bad-characters = { $line ->
    [0] Contains characters that are not allowed (line breaks or control characters).
   *[other] Line { $line } contains characters that are not allowed.
}
field-bad-date = Please enter a valid date, e.g. 31.03.2026.
field-too-many-lines = At most 100 entries.
field-text-too-long = The text is too long (at most 100,000 characters).
field-bad-choice = Please choose one of the offered values.
grade-1 = 1 – very good
grade-2 = 2 – good
grade-3 = 3 – satisfactory
grade-4 = 4 – sufficient
grade-5 = 5 – poor
grade-none = not rated
section-data = Dates
section-personal = Personal data
section-company = Company
section-reference-data = Reference data
section-further = Further remarks
section-signatures = Signatures
section-career = Career
section-stations = Stations
section-tasks = Tasks
section-additional-tasks = Additional tasks
section-training = Further training
section-powers = Powers of attorney
section-performance = Assessment (performance)
section-conduct = Assessment (conduct)
section-qualifications = Qualifications
section-achievements = Achievements
section-result = Result
criterion-willingness = Willingness
criterion-ability = Ability
criterion-knowledge = Knowledge
criterion-further-training = Further training
criterion-working-style = Working style
criterion-work-results = Work results
criterion-leadership = Leadership (managers only)
criterion-conduct-internal = Conduct internal
criterion-conduct-external = Conduct external
criterion-final-exam = Final exam result (trainees)
criterion-attributes = Personal attributes
conduct-superiors = Conduct towards superiors
conduct-colleagues = Conduct towards colleagues
conduct-customers = Conduct towards customers
reason-employee-resignation = Resignation by the employee
reason-employer-termination = Termination by the employer
reason-mutual-agreement = Termination agreement
reason-fixed-term-end = End of a fixed term
reason-retirement = Retirement
reason-change-of-supervisor = Change of supervisor
reason-reorganisation = Reorganisation
reason-employee-request = The employee's request
reason-other = Other reason
salutation-frau = Frau (Ms)
salutation-herr = Herr (Mr)
salutation-none = None (no salutation)
preview-title = Preview
preview-check = Check the text
preview-pdf = View PDF
preview-letter-label = Preview of the reference
preview-empty = No text yet. Rate performance and conduct and choose “Save and write the text”.
check-title = Check
check-clean = The check found nothing.
check-found = { $count ->
    [one] The check found one point.
   *[other] The check found { $count } points.
}
check-no-text = There is no text yet. Write or generate it first.
check-to-sentence = to sentence { $n }
finding-closing-missing = Closing formula missing
finding-closing-weakened = Closing formula weakened
finding-conduct-missing = Conduct assessment missing
finding-conduct-group-missing = Group missing from the conduct assessment
finding-conduct-order = Order of the conduct assessment
finding-grade-mismatch = Overall grade does not fit
finding-tense-mismatch = Tense
finding-pronoun-inconsistent = Pronouns
finding-protected-characteristic = Protected characteristic
generate-missing-personal = The text needs the personal data (at least first and last name).
generate-no-ratings = The text needs the performance assessment: please rate at least one criterion.
generate-missing-conduct = The text needs the conduct towards superiors and colleagues.
proposal-title = Take over suggestions
proposal-kept = The text was changed by hand and has been kept. Choose which suggestions to take over.
proposal-intro = Sentence by sentence: what the newly written text says differently. Ticked suggestions are taken over; everything else stays as you wrote it.
proposal-hint = A changed sentence appears twice: once as “removed” and once as “new”. Tick both to replace it.
proposal-adopt-chosen = Take over the chosen ones
proposal-adopt-all = Take over all suggestions
proposal-keep = Keep my text
proposal-back = ← Back to the reference
proposal-stale = The reference or the suggestion has changed meanwhile. Please write the text again.
diff-same = unchanged
diff-added = new
diff-removed = removed
conflict-title = Changed meanwhile
conflict-intro = While you were editing, these parts were changed:
conflict-intro-unknown = While you were editing, the reference was changed.
conflict-by = Last changed by { $by }.
conflict-choice = Your entries are still in the form below; nothing has been saved. Reload to see the current version (your entries are then lost), or save again to overwrite these parts with your entries.
conflict-reload = Load the current version
workflow-title = Workflow
workflow-now = Current status: { $status }
workflow-none = There is no next step from this status.
workflow-hand-over-hint = To have a supervisor assess the reference, hand it over.
transition-requested = Mark as requested
transition-draft = Back to draft
transition-with-supervisor = Hand over to a supervisor
transition-in-approval = Send for approval
transition-approved = Approve
transition-completed = Mark as issued
transition-archived = Archive
transition-unknown = There is no such status.
transition-refused = That is not possible from the status “{ $from }”.
transition-allowed = Possible: { $allowed }.
transition-final = It is the last status.
transition-by-handover = A reference reaches a supervisor only by a handover.
history-title = History
history-statuses = Status changes
history-no-statuses = No status change yet.
history-handovers = Handovers
history-no-handovers = No handover yet.
history-changes = Change log
history-no-changes = No entries. Changes are logged when change tracking is switched on in the privacy settings.
history-by-former-user = (former user)
history-by-link = Link recipient
history-by-system = System
col-when = When
col-from = From
col-to = To
col-by = Who
col-recipient = Recipient
col-handed-over = Handed over
col-finished = Finished
col-section = Part
col-before = Before
col-after = After
link-active = open
link-revoked = revoked
link-finished = finished
link-expired = expired
link-blocked = blocked
delete-title = Delete the reference
delete-explain = The reference is deleted for good, with its history, change log and handovers. Open links stop working. This cannot be undone.
delete-confirm = Yes, delete this reference for good
delete-submit = Delete for good
delete-confirm-missing = Please confirm the deletion with the tick box.

## Handover
handover-title = Hand over to a supervisor
handover-intro = The person receives a link by e-mail; they need no account. You decide which parts they may read or change.
handover-check-fields = Please check the marked entries. The reference has not been handed over.
handover-recipient = Recipient
handover-name = Name
handover-email = E-mail address
handover-email-hint = The link goes to this address.
handover-domains = The link goes to this address. Allowed are addresses at: { $domains }
handover-phone = Mobile number
handover-phone-hint = Only for the code by SMS, as +49 170 1234567.
handover-grid = Access per part
handover-grid-hint = “Read” shows a part, “Write” also allows changes. Parts with “No access” stay hidden.
handover-presets = Presets:
handover-preset-assessment = Supervisor: write the assessment
handover-preset-read = Read only
handover-printed = printed
access-none = No access
access-read = Read
access-write = Write
handover-download = Allow downloading the PDF
handover-download-hint = The PDF shows these parts; to download it the person needs at least read access to: { $sections }.
handover-link = Link
handover-code = One-time code on opening
handover-code-none = No code
handover-code-email = Code by e-mail
handover-code-sms = Code by SMS
handover-expiry = Valid for (days)
handover-expiry-hint = Between 1 and 365 days.
handover-submit = Hand over and send the link
handover-cancel = Cancel
handover-name-invalid = Please enter the name (one line, at most 200 characters).
handover-email-invalid = Please enter a valid e-mail address, e.g. name@company.com.
handover-phone-invalid = Please enter the number in international format, e.g. +49 170 1234567.
handover-phone-required = The code by SMS needs a mobile number.
handover-channel-refused = The privacy settings do not allow this way of sending the code.
handover-expiry-invalid = Please choose between 1 and 365 days.
handover-domain-refused = Handovers to addresses at { $domain } are not allowed; the privacy settings allow certain domains only.
handover-download-needs-read = To download, the person needs read access to: { $sections }.
handover-not-editable = The reference cannot be handed over in this status.
handover-created = The reference has been handed over. The link is on its way by e-mail.
handover-revoked = The handover has been revoked; the link no longer works.
handover-revoke-late = The handover had already ended.
handover-revoke = Revoke
handover-revoke-explain = The link stops working at once.
handover-revoke-confirm = Yes, revoke
workflow-hand-over = Hand over …

## Creating and editing employees
employees-none-next = Add the first with “New employee”.
employee-new = New employee
employee-create = Add employee
employee-back = ← All employees
employee-created = The employee has been added. You can now start a reference.
employee-deleted = The employee record has been deleted.
employee-record = Master data
employee-contact = Contact
employee-street = Street and number
employee-postcode = Postcode
employee-city = City
employee-employment = Employment
employee-exit-date = Exit date
employee-exit-reason = Reason for leaving
employee-jobs = Job titles
employee-jobs-hint = One per line; the first is taken into the reference as the position.
employee-interruptions = Interruptions
employee-interruptions-hint = For example parental leave. An empty row is not saved.
employee-interruption-from = Interruption { $n }: from
employee-interruption-to = Interruption { $n }: to
employee-interruption-reason = Interruption { $n }: reason
employee-powers-hint = For example Prokura or Handlungsvollmacht.
employee-power-kind = Power { $n }: kind
employee-power-since = Power { $n }: since
employee-organisation = Organisation
employee-organisation-hint = These decide who may see the references (reference access scope).
employee-company = Company
employee-location = Location
employee-unit = Organisational unit
employee-type = Employee type
employee-references = References
employee-no-references = No reference yet.
employee-conflict = Someone else has changed the record meanwhile. Your entries are still in the form; save again to overwrite the changes, or reload the page.
employee-outside-scope = These organisational values lie outside your reference access scope.
employee-still-named = The record cannot be deleted while a reference names the person.
employee-still-named-explain = The person is still named in a reference – as its subject or as a signatory. Delete or change those references first.
employee-delete-title = Delete the employee record
employee-delete-explain = The record is deleted for good. That is possible only while no reference names the person.
employee-delete-confirm = Yes, delete this record for good
field-bad-email = Please enter a valid e-mail address, e.g. name@company.com.
field-exit-before-entry = The exit date lies before the entry date.
field-born-after-entry = The date of birth must lie before the entry date.
field-interruption-reversed = An interruption ends before it begins.
field-outside-scope = Outside your reference access scope.
field-choose = – please choose –

## The link for supervisors
link-open-title = Open the reference
link-open-intro = HR asks for your help with an employment reference. You need no account for it.
link-open-button = Open the reference
link-open-hint = The link is for you only. Please do not pass it on.
link-code-title = Confirmation code
link-code-by-email = We have sent you a confirmation code by e-mail. It is valid for five minutes.
link-code-by-sms = We have sent you a confirmation code by SMS. It is valid for five minutes.
link-code-again = Enter the confirmation code we sent you.
link-code-wrong = The code is not correct.
link-code-wrong-left = { $count ->
    [one] The code is not correct. You have one more try.
   *[other] The code is not correct. You have { $count } more tries.
}
link-code-expired = The code has expired or was used. Please open the link from the e-mail again; you will receive a new code.
link-closed-title = Link not available
link-invalid = This link is not valid. Please open it directly from the e-mail.
link-revoked-page = HR has withdrawn this link.
link-finished-page = The work has already been finished. Thank you.
link-expired-page = This link has expired. Please contact HR.
link-blocked-page = This link was blocked after too many wrong codes. Please contact HR.
link-no-channel = This link needs a confirmation code, but no allowed way reaches you. Please contact HR.
link-session-ended = Your session has ended. Please open the link from the e-mail again.
link-work-title = Your part in an employment reference
link-work-intro = HR has shared the parts you see here. Change what you may change, save, and finish when you are done.
link-work-intro-read = HR has shared these parts with you to read.
link-valid-until = The link is valid until { $date }.
link-read-only = read only
link-saved = Saved. The preview shows the text with your entries.
link-finish-title = Done?
link-finish-explain = Finishing hands the reference back to HR; the link stops working then.
link-finish = Finish
link-thanks-title = Thank you
link-thanks = Your entries are with HR. You may close this window.
link-preview-hint = This is how the draft reads after the last save.
link-no-text = You see the reference text here once HR shares it with you.
link-performance-hint = Choose a grade per criterion; “not rated” leaves a criterion out. After saving, the preview shows the text.

## Account: second factor
account-factors = Second factor
account-factors-hint = A second factor protects your account even when someone knows your password. Every change asks for your current password.
account-factor-on = set up
account-factor-off = not set up
account-factor-password-hint = To confirm it is you.
account-enrol-start = Set up an app
account-enrol-intro = Scan the QR code with your authenticator app and enter the code it shows.
account-enrol-confirm = Confirm
account-factor-remove = Remove
account-factor-removed = The second factor has been removed.
account-sms-start = Turn on SMS codes
account-sms-confirm = Turn on
account-sms-on = SMS codes are on.
account-phone = to { $phone }
account-no-phone = No mobile number is stored for SMS codes. Your administration can add it.
reminder-send = Send a reminder
reminder-sent = The reminder is on its way, with a new link; the previous link no longer works.
reminder-today = A reminder was sent today already. The next one is possible tomorrow.

## Setup, invitation, new password
account-link-setup = Setup
account-link-setup-intro = Create your organisation and its first Administrator account.
account-link-welcome = Welcome
account-link-welcome-intro = Choose your password to activate your account.
account-link-reset = New password
account-link-reset-intro = Choose a new password. All your sessions end afterwards.
account-link-invalid = This link is incomplete. Please open it directly from the e-mail.
account-link-password-hint = It must meet the organisation's password rules and may not be on a list of known passwords.
account-link-saved = Saved. You can log in now.
account-link-to-login = To the login
setup-organisation = Name of the organisation
setup-slug = Short name
setup-slug-hint = For addresses, e.g. acme: lower-case letters, digits and hyphens.
