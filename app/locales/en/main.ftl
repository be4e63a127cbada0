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
