// Package confirm renders the pages behind an email confirmation link: the
// question, the answer, and what went wrong with a link.
package confirm

// Ask is the page a confirmation link opens: it asks before confirming, so
// a mail scanner that fetches links confirms nothing.
type Ask struct {
	Token string
	Email string
}

// Action is where the confirmation form posts.
func (a Ask) Action() string { return "/confirm-email/" + a.Token }

// Done is the page after the address was confirmed.
type Done struct {
	Email string
	// Own is true when the person signed in on this device owns the
	// confirmed account, so the page links to their dashboard.
	Own bool
}

// Problem is the page for a link that cannot confirm anything.
type Problem struct {
	Heading string
	Message string
	// SignedIn offers a new link from the dashboard instead of signing in.
	SignedIn bool
}
