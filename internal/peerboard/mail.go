package peerboard

import (
	"fmt"
	"strings"
	"time"
)

// Mail is one message to a person. Messages never carry health or
// lived-experience information: only what a credential record shows publicly
// and what the person must do next.
type Mail struct {
	To      string
	Subject string
	Body    string
	Kind    string // reminder, renewal_received, audit_selected, renewal_decision, status_changed, confirm_email, password_reset
}

// DateLayout is how dates read everywhere people see them: pages and mail.
const DateLayout = "January 2, 2006"

// The kinds of mail the portal sends.
const (
	MailReminder        = "reminder"
	MailRenewalReceived = "renewal_received"
	MailAuditSelected   = "audit_selected"
	MailRenewalDecision = "renewal_decision"
	MailStatusChanged   = "status_changed"
	MailConfirmEmail    = "confirm_email"
	MailPasswordReset   = "password_reset"
)

func mailBody(name string, paragraphs ...string) string {
	return mailText("Dear "+name+",", paragraphs...)
}

func mailText(greeting string, paragraphs ...string) string {
	var b strings.Builder
	b.WriteString(greeting)
	b.WriteString("\n\n")
	for _, p := range paragraphs {
		b.WriteString(p)
		b.WriteString("\n\n")
	}
	b.WriteString("The credentialing board\n(This message was sent by peerboard. Please do not reply to it.)\n")
	return b.String()
}

// EmailConfirmationValidity is how long a confirmation link works.
const EmailConfirmationValidity = 7 * 24 * time.Hour

// ConfirmEmailMail carries the link that proves the account holder reads
// mail at to. Whoever registered may not own the address, so the message
// greets no one by the name they typed, carries no other personal data and
// says what to do if the reader did not register.
func ConfirmEmailMail(to, token string, expires time.Time, baseURL string) Mail {
	return Mail{
		To:      to,
		Kind:    MailConfirmEmail,
		Subject: "Confirm your email address",
		Body: mailText("Hello,",
			"Someone created a peerboard account with this email address. If it was you, open this link and confirm the address:",
			baseURL+"/confirm-email/"+token,
			fmt.Sprintf("The link works until %s. Until you confirm, training and continuing education recorded for this address are not added to the account.", expires.UTC().Format(DateLayout)),
			"If you did not create this account, ignore this message: nothing recorded for you is added to it."),
	}
}

// PasswordResetValidity is how long a password reset link works: short,
// because the link alone takes over the account.
const PasswordResetValidity = time.Hour

// PasswordResetMail carries the link that sets a new password for the
// account registered with to. Whoever registered that account may not own
// the address, so the message greets no one by the name they typed.
func PasswordResetMail(to, token, baseURL string) Mail {
	return Mail{
		To:      to,
		Kind:    MailPasswordReset,
		Subject: "Reset your peerboard password",
		Body: mailText("Hello,",
			"Someone asked to reset the password of the peerboard account for this email address. If it was you, open this link and choose a new password:",
			baseURL+"/reset-password/"+token,
			"The link works for one hour, and only once. Choosing a new password also confirms this email address and signs out every other device.",
			"If you did not ask for this, ignore this message: your password stays as it is."),
	}
}

// ReminderMail tells a holder their credential expires in daysLeft days.
func ReminderMail(to, name, number, typeName string, expires time.Time, daysLeft int, baseURL string) Mail {
	return Mail{
		To:      to,
		Kind:    MailReminder,
		Subject: fmt.Sprintf("Your %s credential %s expires in %d days", typeName, number, daysLeft),
		Body: mailBody(name,
			fmt.Sprintf("Your %s credential %s expires on %s.", typeName, number, expires.Format(DateLayout)),
			"To keep it active, sign in, check your continuing education and submit your renewal before that date:",
			baseURL+"/dashboard"),
	}
}

// StatusChangedMail tells a holder their credential's status changed.
func StatusChangedMail(to, name, number, typeName string, status CredentialStatus, baseURL string) Mail {
	return Mail{
		To:      to,
		Kind:    MailStatusChanged,
		Subject: fmt.Sprintf("Your %s credential %s is now %s", typeName, number, strings.ToLower(status.Label())),
		Body: mailBody(name,
			fmt.Sprintf("The status of your %s credential %s is now: %s.", typeName, number, status.Label()),
			"Employers who verify your credential see this status. Sign in for details and what you can do next:",
			baseURL+"/dashboard"),
	}
}

// RenewalReceivedMail confirms a renewal was submitted.
func RenewalReceivedMail(to, name, number, typeName, baseURL string) Mail {
	return Mail{
		To:      to,
		Kind:    MailRenewalReceived,
		Subject: fmt.Sprintf("We received your renewal for %s", number),
		Body: mailBody(name,
			fmt.Sprintf("We received your renewal of %s credential %s. The board will review it and write to you with its decision.", typeName, number),
			"You can follow it at "+baseURL+"/dashboard"),
	}
}

// AuditSelectedMail tells a holder their renewal was picked for a CE audit.
func AuditSelectedMail(to, name, number string, deadline time.Time, baseURL string) Mail {
	return Mail{
		To:      to,
		Kind:    MailAuditSelected,
		Subject: fmt.Sprintf("Your renewal for %s was selected for a CE audit", number),
		Body: mailBody(name,
			fmt.Sprintf("Your renewal for credential %s was selected at random for a continuing-education audit.", number),
			fmt.Sprintf("Please upload proof (a PDF, PNG or JPEG certificate) for each self-reported activity by %s:", deadline.Format(DateLayout)),
			baseURL+"/dashboard"),
	}
}

// RenewalDecisionMail tells a holder the board's decision on their renewal.
func RenewalDecisionMail(to, name, number string, approved bool, newExpiry time.Time, baseURL string) Mail {
	if approved {
		return Mail{
			To: to, Kind: MailRenewalDecision,
			Subject: fmt.Sprintf("Your renewal for %s is approved", number),
			Body: mailBody(name,
				fmt.Sprintf("Your renewal is approved. Credential %s is now valid until %s.", number, newExpiry.Format(DateLayout)),
				baseURL+"/dashboard"),
		}
	}
	return Mail{
		To: to, Kind: MailRenewalDecision,
		Subject: fmt.Sprintf("Your renewal for %s was not approved", number),
		// The reasons stay in the portal: a reviewer's free text may touch on
		// health or lived experience, which mail must never carry.
		Body: mailBody(name,
			fmt.Sprintf("The board did not approve your renewal of credential %s.", number),
			"Sign in to read the board's reasons and your options: "+baseURL+"/dashboard"),
	}
}
