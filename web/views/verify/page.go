// Package verify renders the public credential verification pages.
package verify

import (
	"fmt"
	"net/url"
	"time"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/web/views"
)

// SearchForm is the input of the two search forms and their errors.
type SearchForm struct {
	Number      string
	First, Last string
	Errors      views.Errors
	Message     string
}

// SearchPage is the model of the search page: the form, and the outcome of
// a number search (Result or NotFound) or of a name search (Matches).
type SearchPage struct {
	Form         SearchForm
	Result       *peerboard.PublicCredential
	NotFound     string
	NameSearched bool
	Matches      []peerboard.PublicCredential
	// More reports that further matches follow on NextURL.
	More      bool
	NextURL   string
	PageSize  int
	CheckedAt string
}

// Permalink is the public address of a credential's record.
func Permalink(number string) string { return "/verify/" + url.PathEscape(number) }

// Designation is the credential's code as printed, with the "F" (family)
// modifier appended when the holder carries it, e.g. "CPSRP-F".
func Designation(c peerboard.PublicCredential) string {
	if c.FamilyModifier {
		return c.CredentialTypeCode + "-F"
	}
	return c.CredentialTypeCode
}

// FormatDate writes an ISO date (YYYY-MM-DD) as "2 January 2026"; anything
// else is shown as it is.
func FormatDate(iso string) string {
	d, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return d.Format(peerboard.DateLayout)
}

// FormatTime writes an instant in UTC with minutes, the precision an
// employer needs to know how fresh a record is.
func FormatTime(t time.Time) string { return t.UTC().Format(peerboard.DateLayout + " at 15:04 UTC") }

// ActionLabel names a discipline action for the public.
func ActionLabel(action string) string {
	switch action {
	case "reprimand":
		return "Reprimand"
	case "probation":
		return "Probation"
	case "suspension":
		return "Suspension"
	case "revocation":
		return "Revocation"
	case "surrender":
		return "Surrender"
	}
	return action
}

func disciplineCount(n int) string {
	if n == 1 {
		return "1 action"
	}
	return fmt.Sprintf("%d actions", n)
}

func matchesHeading(m SearchPage) string {
	name := m.Form.First + " " + m.Form.Last
	switch len(m.Matches) {
	case 0:
		return "No credential holder named " + name
	case 1:
		return "1 credential holder named " + name
	}
	if m.More {
		return fmt.Sprintf("More than %d credential holders named %s", len(m.Matches), name)
	}
	return fmt.Sprintf("%d credential holders named %s", len(m.Matches), name)
}

func moreNote(m SearchPage) string {
	return fmt.Sprintf("Showing %d matches on this page. Use the next page to see more, or search by credential number to find one person.", len(m.Matches))
}
