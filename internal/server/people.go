package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/web/views/people"
)

// accountsPerPage is the length of a page of the people list.
const accountsPerPage = 50

// peopleRoutes: the board admin manages accounts, roles and discipline.
func (s *Server) peopleRoutes(r chi.Router) {
	s.route(r, http.MethodGet, "/admin/users", admins, s.accounts)
	s.route(r, http.MethodGet, "/admin/users/new", admins, s.newAccountForm)
	s.route(r, http.MethodPost, "/admin/users/new", admins, s.createAccount)
	s.route(r, http.MethodGet, "/admin/users/{id}", admins, s.account)
	s.route(r, http.MethodPost, "/admin/users/{id}/role", admins, s.changeRole)
	s.route(r, http.MethodGet, "/admin/credentials/{id}/discipline", admins, s.discipline)
	s.route(r, http.MethodPost, "/admin/credentials/{id}/discipline", admins, s.recordDiscipline)
}

// peopleOptionalID reads a select's id value; "" (or anything unreadable) is none.
func peopleOptionalID(s string) *int64 {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id <= 0 {
		return nil
	}
	return &id
}

func peopleIDString(id *int64) string {
	if id == nil {
		return ""
	}
	return strconv.FormatInt(*id, 10)
}

func (s *Server) accounts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := postgres.AccountFilter{Query: strings.TrimSpace(q.Get("q"))}
	if role := peerboard.Role(q.Get("role")); role.Valid() {
		f.Role = role
	}
	if after, err := strconv.ParseInt(q.Get("after"), 10, 64); err == nil && after > 0 {
		f.After = after
	}
	accounts, more, err := s.db.Accounts(r.Context(), f, accountsPerPage)
	if err != nil {
		return err
	}
	m := people.ListModel{Query: f.Query, Role: string(f.Role), Accounts: accounts, PageSize: accountsPerPage}
	page := func(after int64) string {
		v := url.Values{}
		if f.Query != "" {
			v.Set("q", f.Query)
		}
		if f.Role != "" {
			v.Set("role", string(f.Role))
		}
		if after != 0 {
			v.Set("after", strconv.FormatInt(after, 10))
		}
		if len(v) == 0 {
			return "/admin/users"
		}
		return "/admin/users?" + v.Encode()
	}
	if more {
		m.Next = page(accounts[len(accounts)-1].ID)
	}
	if f.After != 0 {
		m.First = page(0)
	}
	s.render(w, r, http.StatusOK, people.List(s.page(r, "People"), m))
	return nil
}

// accountPage renders an account's page with status; m carries the role
// form as typed, or is filled from the account.
func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, status int, id int64, m people.AccountModel) error {
	ctx := r.Context()
	a, err := s.db.AccountByID(ctx, id)
	if err != nil {
		return err
	}
	if m.Credentials, err = s.db.CredentialsOfUser(ctx, id); err != nil {
		return err
	}
	if m.Trail, err = s.db.AuditTrail(ctx, "user", id); err != nil {
		return err
	}
	if m.Organizations, err = s.db.TrainerOrganizationChoices(ctx); err != nil {
		return err
	}
	m.Account = a
	m.Self = peerboard.UserFromContext(ctx).ID == id
	if m.Form == (people.RoleForm{}) {
		m.Form = people.RoleForm{Role: string(a.Role), OrganizationID: peopleIDString(a.OrganizationID)}
	}
	s.render(w, r, status, people.Account(s.page(r, a.Name), m))
	return nil
}

func (s *Server) account(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.accountPage(w, r, http.StatusOK, id, people.AccountModel{})
}

// changeRole applies the role form. The user's next request gets a new
// session token carrying the new role (authenticate compares the stored role).
func (s *Server) changeRole(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	form := people.RoleForm{Role: r.PostForm.Get("role"), OrganizationID: r.PostForm.Get("organization_id")}
	changed, err := s.db.ChangeRole(r.Context(), id, peerboard.Role(form.Role), peopleOptionalID(form.OrganizationID))
	if fields := peerboard.ErrorFields(err); fields != nil {
		return s.accountPage(w, r, http.StatusUnprocessableEntity, id, people.AccountModel{
			Form: form, Message: peerboard.ErrorMessage(err), Errors: fields})
	} else if err != nil {
		return err
	}
	msg := "The role is unchanged."
	if changed {
		msg = fmt.Sprintf("The role is now %s. The change applies from the person's next page view.",
			peerboard.Role(form.Role).Label())
	}
	return s.redirectWithFlash(w, r, people.UserURL(id), msg)
}

func (s *Server) newAccountPage(w http.ResponseWriter, r *http.Request, status int, m people.NewAccountModel) error {
	orgs, err := s.db.TrainerOrganizationChoices(r.Context())
	if err != nil {
		return err
	}
	m.Organizations = orgs
	s.render(w, r, status, people.NewAccount(s.page(r, "Open a staff account"), m))
	return nil
}

func (s *Server) newAccountForm(w http.ResponseWriter, r *http.Request) error {
	return s.newAccountPage(w, r, http.StatusOK, people.NewAccountModel{})
}

func (s *Server) createAccount(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	form := people.NewAccountForm{
		Name:           r.PostForm.Get("name"),
		Email:          r.PostForm.Get("email"),
		Role:           r.PostForm.Get("role"),
		OrganizationID: r.PostForm.Get("organization_id"),
	}
	u, err := s.db.CreateStaffAccount(r.Context(), peerboard.StaffAccount{
		Name: form.Name, Email: form.Email, Role: peerboard.Role(form.Role),
		OrganizationID: peopleOptionalID(form.OrganizationID), Password: r.PostForm.Get("password"),
	})
	if fields := peerboard.ErrorFields(err); fields != nil {
		return s.newAccountPage(w, r, http.StatusUnprocessableEntity, people.NewAccountModel{
			Form: form, Message: peerboard.ErrorMessage(err), Errors: fields})
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, people.UserURL(u.ID),
		fmt.Sprintf("Account opened for %s (%s). Give them their initial password by phone or in person.", u.Name, u.Role.Label()))
}

// disciplinePage renders a credential's discipline page with status; a
// zero form is the empty form (public ticked, effective today).
func (s *Server) disciplinePage(w http.ResponseWriter, r *http.Request, status int, id int64, m people.DisciplineModel) error {
	cd, err := s.db.DisciplineOfCredential(r.Context(), id)
	if err != nil {
		return err
	}
	m.Credential = cd
	if m.Form == (people.DisciplineForm{}) {
		m.Form = people.DisciplineForm{Public: true, EffectiveOn: s.db.Today().Format(time.DateOnly)}
	}
	// The form always carries the version just shown, so a stale or second
	// submit is refused rather than recorded twice.
	m.Form.Version = cd.Version
	s.render(w, r, status, people.Discipline(s.page(r, "Discipline: "+cd.Number), m))
	return nil
}

func (s *Server) discipline(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.disciplinePage(w, r, http.StatusOK, id, people.DisciplineModel{})
}

// peopleDate reads an HTML date input; "" is the zero time.
func peopleDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, true
	}
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil
}

func (s *Server) recordDiscipline(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	form := people.DisciplineForm{Action: f.Get("action"), PublicSummary: f.Get("public_summary"),
		EffectiveOn: f.Get("effective_on"), EndsOn: f.Get("ends_on"), Public: f.Get("public") == "yes"}
	version, err := strconv.Atoi(f.Get("version"))
	if err != nil {
		return peerboard.Errorf(peerboard.EMALFORMED, "The form could not be read. Reload the page and try again.")
	}
	d := peerboard.DisciplineAction{Action: form.Action, PublicSummary: form.PublicSummary}
	dateErrors := map[string]string{}
	var ok bool
	if d.EffectiveOn, ok = peopleDate(form.EffectiveOn); !ok {
		dateErrors["effective_on"] = "Enter the effective date as a date, e.g. 2026-03-01."
	}
	if ends, ok := peopleDate(form.EndsOn); !ok {
		dateErrors["ends_on"] = "Enter the end date as a date, e.g. 2026-09-01, or leave it empty."
	} else if !ends.IsZero() {
		d.EndsOn = &ends
	}
	refuse := func(status int, err error, extra map[string]string) error {
		fields := map[string]string{}
		for k, v := range peerboard.ErrorFields(err) {
			fields[k] = v
		}
		for k, v := range extra {
			fields[k] = v
		}
		return s.disciplinePage(w, r, status, id, people.DisciplineModel{Form: form, Message: peerboard.ErrorMessage(err), Errors: fields})
	}
	if len(dateErrors) > 0 {
		// Report the other fields' problems too, in one round.
		err := d.Validate()
		if err == nil {
			err = peerboard.FieldErrors("Check the highlighted fields.", nil)
		}
		delete(peerboard.ErrorFields(err), "effective_on")
		return refuse(http.StatusUnprocessableEntity, err, dateErrors)
	}
	out, err := s.db.RecordDiscipline(r.Context(), id, version, d, form.Public)
	switch peerboard.ErrorCode(err) {
	case "":
	case peerboard.EINVALID:
		if peerboard.ErrorFields(err) != nil {
			return refuse(http.StatusUnprocessableEntity, err, nil)
		}
		return err
	case peerboard.ECONFLICT:
		return refuse(http.StatusConflict, err, nil)
	default:
		return err
	}
	msg := fmt.Sprintf("%s recorded (%s).", peerboard.DisciplineLabel(d.Action), strings.ToLower(peopleVisibility(form.Public)))
	switch {
	case out.StatusChanged():
		msg += fmt.Sprintf(" The credential's status changed from %s to %s.", out.From.Label(), out.To.Label())
	case out.StatusNote != "":
		msg += " " + out.StatusNote
	}
	return s.redirectWithFlash(w, r, people.DisciplineURL(id), msg)
}

func peopleVisibility(public bool) string {
	if public {
		return "Public: shown on the verification page"
	}
	return "Private: not shown to the public"
}
