// Package people renders the board admin's people pages: the account list,
// one account with its role, credentials and history, the form to open a
// staff account, and a credential's discipline.
package people

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/web/views"
)

// ListModel is the people list: the search form, one page of accounts and
// the links to the first and next pages.
type ListModel struct {
	Query    string
	Role     string
	Accounts []postgres.Account
	First    string // link back to the first page, "" on it
	Next     string // link to the next page, "" on the last
	PageSize int
}

// AccountModel is one account's page with its role form.
type AccountModel struct {
	Account       *postgres.Account
	Self          bool // the admin is looking at their own account
	Credentials   []peerboard.Credential
	Trail         []peerboard.AuditEvent
	Organizations []peerboard.Organization
	Form          RoleForm
	Message       string
	Errors        views.Errors
}

// RoleForm is the role change as typed.
type RoleForm struct {
	Role, OrganizationID string
}

// NewAccountModel is the form to open a staff account. The password is
// never echoed back.
type NewAccountModel struct {
	Form          NewAccountForm
	Organizations []peerboard.Organization
	Message       string
	Errors        views.Errors
}

// NewAccountForm is what the admin typed, password aside.
type NewAccountForm struct {
	Name, Email, Role, OrganizationID string
}

// DisciplineModel is a credential's discipline page with its form.
type DisciplineModel struct {
	Credential *postgres.CredentialDiscipline
	Form       DisciplineForm
	Message    string
	Errors     views.Errors
}

// DisciplineForm is the discipline action as typed.
type DisciplineForm struct {
	Action, PublicSummary, EffectiveOn, EndsOn string
	Public                                     bool
	Version                                    int
}

// UserURL is the address of an account's page.
func UserURL(id int64) string { return "/admin/users/" + strconv.FormatInt(id, 10) }

// DisciplineURL is the address of a credential's discipline page.
func DisciplineURL(credentialID int64) string {
	return "/admin/credentials/" + strconv.FormatInt(credentialID, 10) + "/discipline"
}

func longDate(t time.Time) string { return t.Format(peerboard.DateLayout) }

func stamp(t time.Time) string { return t.UTC().Format("January 2, 2006 15:04 UTC") }

func roleOptions(all string, roles []peerboard.Role) []views.Option {
	var out []views.Option
	if all != "" {
		out = append(out, views.Option{Value: "", Label: all})
	}
	for _, r := range roles {
		out = append(out, views.Option{Value: string(r), Label: r.Label()})
	}
	return out
}

func orgOptions(orgs []peerboard.Organization) []views.Option {
	out := []views.Option{{Value: "", Label: "None (not a training organization account)"}}
	for _, o := range orgs {
		out = append(out, views.Option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
	}
	return out
}

func actionOptions() []views.Option {
	out := []views.Option{{Value: "", Label: "- Select -"}}
	for _, a := range peerboard.DisciplineActions {
		out = append(out, views.Option{Value: a, Label: peerboard.DisciplineLabel(a)})
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func endsOn(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return longDate(*t)
}

func visibility(public bool) string {
	if public {
		return "Public"
	}
	return "Private"
}

// payload shows an audit event's before or after as compact JSON.
func payload(v any) string {
	switch p := v.(type) {
	case nil:
		return ""
	case json.RawMessage:
		return string(p)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func actorOf(e peerboard.AuditEvent) string {
	if e.ActorName == "" {
		return "System"
	}
	return e.ActorName
}

func countLabel(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func historyCaption(name string) string { return "History of " + name + "’s account, oldest first" }
