// Package views renders the portal's pages with templ. Each page takes a
// typed view model; Page carries what the layout needs.
package views

import (
	"sort"
	"strings"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// Page is what every layout needs: the title, who is signed in, the flash
// message and the current path (for the navigation's "current" marker).
type Page struct {
	Title     string
	User      *peerboard.User
	Flash     string
	Path      string
	RequestID string
}

// NavItem is one link in the header navigation.
type NavItem struct {
	Label, Href string
}

// Nav returns the navigation for the signed-in user's role.
func (p Page) Nav() []NavItem {
	items := []NavItem{}
	switch {
	case p.User == nil:
	case p.User.Role == peerboard.RoleApplicant:
		items = append(items, NavItem{"Dashboard", "/dashboard"}, NavItem{"Continuing education", "/ce"})
	case p.User.Role == peerboard.RoleTrainer:
		items = append(items, NavItem{"Courses and completions", "/trainer"}, NavItem{"Continuing education", "/trainer/ce"})
	case p.User.Role == peerboard.RoleReviewer:
		items = append(items, NavItem{"Case queue", "/review"})
	case p.User.Role == peerboard.RoleAdmin:
		items = append(items, NavItem{"Case queue", "/review"}, NavItem{"Exam results", "/admin/exams"},
			NavItem{"Credential types", "/admin/credential-types"}, NavItem{"Organizations", "/admin/organizations"},
			NavItem{"People", "/admin/users"}, NavItem{"Mail", "/admin/mail"})
	}
	return append(items, NavItem{"Verify a credential", "/verify"})
}

// Current reports whether href is the section of the current page: the
// longest navigation link the path falls under, so /trainer/ce marks
// "Continuing education" and not also "Courses and completions".
func (p Page) Current(href string) bool {
	best := ""
	for _, item := range p.Nav() {
		if under(p.Path, item.Href) && len(item.Href) > len(best) {
			best = item.Href
		}
	}
	return best == href
}

func under(path, href string) bool {
	return path == href || strings.HasPrefix(path, href+"/")
}

// Errors holds per-field messages of a form that failed validation.
type Errors map[string]string

// Summary lists the field errors in the order the fields appear on the form.
func (e Errors) Summary(order ...string) []FieldError {
	var out []FieldError
	seen := map[string]bool{}
	for _, k := range order {
		if msg, ok := e[k]; ok {
			out = append(out, FieldError{k, msg})
			seen[k] = true
		}
	}
	var rest []string
	for k := range e {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		out = append(out, FieldError{k, e[k]})
	}
	return out
}

// FieldError is one entry of an error summary, linking to its field.
type FieldError struct {
	Field, Message string
}

// Field describes one form input for the field components.
type Field struct {
	Name         string
	Label        string
	Hint         string
	Value        string
	Error        string
	Type         string // text by default
	Autocomplete string
	Required     bool
	Width        string // a USWDS input width modifier such as "md"
}

func (f Field) inputType() string {
	if f.Type == "" {
		return "text"
	}
	return f.Type
}

func (f Field) describedBy() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.Name+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, f.Name+"-error")
	}
	return strings.Join(ids, " ")
}

func (f Field) inputClass() string {
	c := "usa-input"
	if f.Width != "" {
		c += " usa-input--" + f.Width
	}
	if f.Error != "" {
		c += " usa-input--error"
	}
	return c
}
