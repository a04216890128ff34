package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/web/views"
	"github.com/peerboard/peerboard/web/views/config"
)

// orgsPerPage is the length of a page of training organizations.
const orgsPerPage = 25

// configRoutes: the board admin edits credential types and training organizations.
func (s *Server) configRoutes(r chi.Router) {
	s.route(r, http.MethodGet, "/admin/credential-types", admins, s.credentialTypes)
	s.route(r, http.MethodGet, "/admin/credential-types/new", admins, s.newCredentialTypeForm)
	s.route(r, http.MethodPost, "/admin/credential-types/new", admins, s.createCredentialType)
	s.route(r, http.MethodGet, "/admin/credential-types/{id}", admins, s.editCredentialTypeForm)
	s.route(r, http.MethodPost, "/admin/credential-types/{id}", admins, s.updateCredentialType)
	s.route(r, http.MethodGet, "/admin/organizations", admins, s.organizations)
	s.route(r, http.MethodGet, "/admin/organizations/new", admins, s.newOrganizationForm)
	s.route(r, http.MethodPost, "/admin/organizations/new", admins, s.createOrganization)
	s.route(r, http.MethodGet, "/admin/organizations/{id}", admins, s.editOrganizationForm)
	s.route(r, http.MethodPost, "/admin/organizations/{id}", admins, s.updateOrganization)
}

func (s *Server) credentialTypes(w http.ResponseWriter, r *http.Request) error {
	// A board has a handful of credential types, so the list is not paged.
	types, err := s.db.CredentialTypes(r.Context(), false)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, config.Types(s.page(r, "Credential types"), config.TypesModel{Types: types}))
	return nil
}

// newTypeDefaults pre-fills a new credential type with the board's usual
// figures, so the admin edits what differs instead of typing everything.
func newTypeDefaults() config.TypeForm {
	d := peerboard.DefaultCPSRP()
	f := config.FormFromType(d)
	f.Code, f.Name, f.Description, f.NumberPrefix, f.Version = "", "", "", "", ""
	f.GrandparentingEnabled, f.GrandparentingTrainingCutoff, f.GrandparentingApplyUntil = false, "", ""
	return f
}

func (s *Server) newCredentialTypeForm(w http.ResponseWriter, r *http.Request) error {
	m := config.TypeFormModel{Form: newTypeDefaults()}
	s.render(w, r, http.StatusOK, config.TypeFormPage(s.page(r, "Add a credential type"), m))
	return nil
}

// readTypeForm reads the posted credential type form as typed.
func readTypeForm(v url.Values) config.TypeForm {
	on := func(k string) bool { return v.Get(k) != "" }
	get := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	return config.TypeForm{
		Version: get("version"),
		Code:    get("code"), Name: get("name"), Description: strings.TrimSpace(v.Get("description")),
		NumberPrefix: get("number_prefix"), Active: on("active"),
		CycleMonths: get("cycle_months"), AppealDays: get("appeal_days"),
		StandardEnabled: on("standard_enabled"), TrainingHours: get("training_hours"),
		RequireAllCompetencies: on("require_all_competencies"), RequireEthicsModule: on("require_ethics_module"),
		SupervisedHours: get("supervised_hours"), ExamRequired: on("exam_required"),
		ExamAuthorizationDays: get("exam_authorization_days"), ExamRetakeWaitDays: get("exam_retake_wait_days"),
		ExamMaxAttempts:       get("exam_max_attempts"),
		GrandparentingEnabled: on("grandparenting_enabled"), GrandparentingTrainingCutoff: get("grandparenting_training_cutoff"),
		GrandparentingApplyUntil: get("grandparenting_apply_until"),
		CEHoursPerCycle:          get("ce_hours_per_cycle"), CEEthicsHours: get("ce_ethics_hours"),
		CESelfReportedCap: get("ce_self_reported_cap"), RenewalWindowDays: get("renewal_window_days"),
		GraceDays: get("grace_days"), AuditPercent: get("audit_percent"), ReminderDays: get("reminder_days"),
		FeeID: get("fee_id"), FeeApplication: get("fee_application"), FeeExam: get("fee_exam"),
	}
}

// feeInputs maps Validate's cents keys to the form's dollar inputs.
var feeInputs = map[string]string{"fee_id_cents": "fee_id", "fee_application_cents": "fee_application", "fee_exam_cents": "fee_exam"}

// parseTypeForm turns the typed form into a credential type. Values that
// cannot be read are field errors; the rest is checked by Validate, and a
// field keeps its parse error rather than a second, confusing one.
func parseTypeForm(f config.TypeForm) (peerboard.CredentialType, error) {
	errs := map[string]string{}
	integer := func(key, s string) int {
		n, err := strconv.Atoi(s)
		if err != nil || strings.Trim(s, "0123456789") != "" {
			errs[key] = "Enter a whole number"
			if s == "" {
				errs[key] = "Required"
			}
		}
		return n
	}
	hrs := func(key, s string) float64 {
		if s == "" {
			errs[key] = "Required"
			return 0
		}
		h, err := peerboard.ParseHours(s)
		if err != nil {
			errs[key] = peerboard.ErrorMessage(err)
		}
		return h
	}
	dollars := func(key, s string) int {
		if s == "" {
			errs[key] = "Required"
			return 0
		}
		c, err := peerboard.ParseDollars(s)
		if err != nil {
			errs[key] = peerboard.ErrorMessage(err)
		}
		return c
	}
	date := func(key, s string) *time.Time {
		if s == "" {
			return nil
		}
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			errs[key] = "Enter a date like 2026-05-31"
			return nil
		}
		return &d
	}
	t := peerboard.CredentialType{
		Code: f.Code, Name: f.Name, Description: f.Description, NumberPrefix: f.NumberPrefix, Active: f.Active,
		CycleMonths: integer("cycle_months", f.CycleMonths), AppealDays: integer("appeal_days", f.AppealDays),
		StandardEnabled: f.StandardEnabled, TrainingHours: hrs("training_hours", f.TrainingHours),
		RequireAllCompetencies: f.RequireAllCompetencies, RequireEthicsModule: f.RequireEthicsModule,
		SupervisedHours: integer("supervised_hours", f.SupervisedHours), ExamRequired: f.ExamRequired,
		ExamAuthorizationDays:        integer("exam_authorization_days", f.ExamAuthorizationDays),
		ExamRetakeWaitDays:           integer("exam_retake_wait_days", f.ExamRetakeWaitDays),
		ExamMaxAttempts:              integer("exam_max_attempts", f.ExamMaxAttempts),
		GrandparentingEnabled:        f.GrandparentingEnabled,
		GrandparentingTrainingCutoff: date("grandparenting_training_cutoff", f.GrandparentingTrainingCutoff),
		GrandparentingApplyUntil:     date("grandparenting_apply_until", f.GrandparentingApplyUntil),
		CEHoursPerCycle:              hrs("ce_hours_per_cycle", f.CEHoursPerCycle),
		CEEthicsHours:                hrs("ce_ethics_hours", f.CEEthicsHours),
		RenewalWindowDays:            integer("renewal_window_days", f.RenewalWindowDays),
		GraceDays:                    integer("grace_days", f.GraceDays),
		AuditPercent:                 integer("audit_percent", f.AuditPercent),
		FeeIDCents:                   dollars("fee_id", f.FeeID),
		FeeApplicationCents:          dollars("fee_application", f.FeeApplication),
		FeeExamCents:                 dollars("fee_exam", f.FeeExam),
	}
	if f.CESelfReportedCap != "" {
		c := hrs("ce_self_reported_cap", f.CESelfReportedCap)
		t.CESelfReportedCap = &c
	}
	days, err := peerboard.ParseDayList(f.ReminderDays)
	if err != nil {
		errs["reminder_days"] = peerboard.ErrorMessage(err)
	}
	t.ReminderDays = days
	for k, msg := range typeFieldErrors(t.Validate()) {
		if _, ok := errs[k]; !ok {
			errs[k] = msg
		}
	}
	if len(errs) > 0 {
		return t, peerboard.FieldErrors("Please correct the credential type settings", errs)
	}
	return t, nil
}

// typeFieldErrors returns err's field errors keyed by form input name.
func typeFieldErrors(err error) views.Errors {
	fields := peerboard.ErrorFields(err)
	if fields == nil {
		return nil
	}
	out := views.Errors{}
	for k, msg := range fields {
		if in, ok := feeInputs[k]; ok {
			k = in
		}
		out[k] = msg
	}
	return out
}

// renderTypeForm shows the form again after a refused save, with the input kept.
func (s *Server) renderTypeForm(w http.ResponseWriter, r *http.Request, status int, m config.TypeFormModel, err error) error {
	m.Errors = typeFieldErrors(err)
	if len(m.Errors) == 0 {
		m.Message = peerboard.ErrorMessage(err)
	}
	title := "Add a credential type"
	if m.ID != 0 {
		title = "Edit " + m.StoredCode
	}
	s.render(w, r, status, config.TypeFormPage(s.page(r, title), m))
	return nil
}

func (s *Server) createCredentialType(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := readTypeForm(r.PostForm)
	t, err := parseTypeForm(f)
	if err == nil {
		err = s.db.CreateCredentialType(r.Context(), &t)
	}
	if peerboard.ErrorCode(err) == peerboard.EINVALID {
		return s.renderTypeForm(w, r, http.StatusUnprocessableEntity, config.TypeFormModel{Form: f}, err)
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, "/admin/credential-types", "Credential type "+t.Code+" added.")
}

func (s *Server) editCredentialTypeForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	t, err := s.db.CredentialTypeByID(r.Context(), id)
	if err != nil {
		return err
	}
	fixed, err := s.db.CredentialTypeHasCredentials(r.Context(), id)
	if err != nil {
		return err
	}
	m := config.TypeFormModel{ID: id, StoredCode: t.Code, Form: config.FormFromType(*t), PrefixFixed: fixed}
	s.render(w, r, http.StatusOK, config.TypeFormPage(s.page(r, "Edit "+t.Code), m))
	return nil
}

func (s *Server) updateCredentialType(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	ctx := r.Context()
	cur, err := s.db.CredentialTypeByID(ctx, id)
	if err != nil {
		return err
	}
	version, err := formVersion(r)
	if err != nil {
		return err
	}
	fixed, err := s.db.CredentialTypeHasCredentials(ctx, id)
	if err != nil {
		return err
	}
	f := readTypeForm(r.PostForm)
	// A form made from an older version is refused before anything else:
	// fixing its errors would only lead to the same conflict.
	if version != cur.Version {
		return s.typeConflict(w, r, cur, f, fixed)
	}
	t, err := parseTypeForm(f)
	changed := false
	if err == nil {
		t.ID, t.Version = id, version
		changed, err = s.db.UpdateCredentialType(ctx, &t)
	}
	switch peerboard.ErrorCode(err) {
	case "":
		if !changed {
			return s.redirectWithFlash(w, r, "/admin/credential-types", "Nothing changed in "+t.Code+".")
		}
		return s.redirectWithFlash(w, r, "/admin/credential-types", "Credential type "+t.Code+" saved.")
	case peerboard.ECONFLICT:
		if cur, err = s.db.CredentialTypeByID(ctx, id); err != nil {
			return err
		}
		return s.typeConflict(w, r, cur, f, fixed)
	case peerboard.EINVALID:
		m := config.TypeFormModel{ID: id, StoredCode: cur.Code, Form: f, PrefixFixed: fixed}
		return s.renderTypeForm(w, r, http.StatusUnprocessableEntity, m, err)
	}
	return err
}

// typeConflict answers a save made on an outdated form: 409, the stored
// values in the form, and the admin's lost values listed beside them.
func (s *Server) typeConflict(w http.ResponseWriter, r *http.Request, cur *peerboard.CredentialType, yours config.TypeForm, fixed bool) error {
	saved := config.FormFromType(*cur)
	m := config.TypeFormModel{ID: cur.ID, StoredCode: cur.Code, Form: saved, Conflict: true,
		Unsaved: config.UnsavedChanges(yours, saved), PrefixFixed: fixed}
	s.render(w, r, http.StatusConflict, config.TypeFormPage(s.page(r, "Edit "+cur.Code), m))
	return nil
}

func (s *Server) organizations(w http.ResponseWriter, r *http.Request) error {
	after := r.URL.Query().Get("after")
	orgs, err := s.db.Organizations(r.Context(), after, orgsPerPage)
	if err != nil {
		return err
	}
	var m config.OrgsModel
	if len(orgs) > orgsPerPage {
		orgs = orgs[:orgsPerPage]
		m.Next = "/admin/organizations?after=" + url.QueryEscape(orgs[orgsPerPage-1].Name)
	}
	if after != "" {
		m.Prev = "/admin/organizations" // keyset pages go forward; "previous" returns to the top
	}
	today := s.today()
	for _, o := range orgs {
		m.Orgs = append(m.Orgs, config.OrgRow{Organization: o, ApprovedToday: o.ApprovedOn(today)})
	}
	s.render(w, r, http.StatusOK, config.Orgs(s.page(r, "Training organizations"), m))
	return nil
}

func (s *Server) newOrganizationForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, config.OrgFormPage(s.page(r, "Add a training organization"), config.OrgFormModel{}))
	return nil
}

// parseOrgForm reads the posted organization form: the form as typed and
// the organization it describes, or field errors.
func parseOrgForm(v url.Values) (config.OrgForm, peerboard.Organization, error) {
	f := config.OrgForm{
		Name:          strings.TrimSpace(v.Get("name")),
		ContactEmail:  strings.TrimSpace(v.Get("contact_email")),
		ApprovedFrom:  strings.TrimSpace(v.Get("approved_from")),
		ApprovedUntil: strings.TrimSpace(v.Get("approved_until")),
	}
	errs := map[string]string{}
	date := func(key, s string) *time.Time {
		if s == "" {
			return nil
		}
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			errs[key] = "Enter a date like 2026-01-31"
			return nil
		}
		return &d
	}
	o := peerboard.Organization{Name: f.Name, ContactEmail: peerboard.NormalizeEmail(f.ContactEmail),
		ApprovedFrom: date("approved_from", f.ApprovedFrom), ApprovedUntil: date("approved_until", f.ApprovedUntil)}
	for k, msg := range peerboard.ErrorFields(o.Validate()) {
		if _, ok := errs[k]; !ok {
			errs[k] = msg
		}
	}
	if len(errs) > 0 {
		return f, o, peerboard.FieldErrors("Please correct the organization's details", errs)
	}
	return f, o, nil
}

// renderOrgForm shows the organization form again with the input kept.
func (s *Server) renderOrgForm(w http.ResponseWriter, r *http.Request, m config.OrgFormModel, err error) error {
	m.Errors = peerboard.ErrorFields(err)
	if len(m.Errors) == 0 {
		m.Message = peerboard.ErrorMessage(err)
	}
	title := "Add a training organization"
	if m.ID != 0 {
		title = "Edit " + m.StoredName
	}
	s.render(w, r, http.StatusUnprocessableEntity, config.OrgFormPage(s.page(r, title), m))
	return nil
}

func (s *Server) createOrganization(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f, o, err := parseOrgForm(r.PostForm)
	if err == nil {
		err = s.db.CreateOrganization(r.Context(), &o)
	}
	if peerboard.ErrorCode(err) == peerboard.EINVALID {
		return s.renderOrgForm(w, r, config.OrgFormModel{Form: f}, err)
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, "/admin/organizations", o.Name+" added.")
}

func (s *Server) editOrganizationForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	o, err := s.db.OrganizationByID(r.Context(), id)
	if err != nil {
		return err
	}
	m := config.OrgFormModel{ID: id, StoredName: o.Name, Form: config.FormFromOrg(*o)}
	s.render(w, r, http.StatusOK, config.OrgFormPage(s.page(r, "Edit "+o.Name), m))
	return nil
}

func (s *Server) updateOrganization(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	cur, err := s.db.OrganizationByID(r.Context(), id)
	if err != nil {
		return err
	}
	f, o, err := parseOrgForm(r.PostForm)
	changed := false
	if err == nil {
		o.ID = id
		changed, err = s.db.UpdateOrganization(r.Context(), &o)
	}
	if peerboard.ErrorCode(err) == peerboard.EINVALID {
		return s.renderOrgForm(w, r, config.OrgFormModel{ID: id, StoredName: cur.Name, Form: f}, err)
	} else if err != nil {
		return err
	}
	if !changed {
		return s.redirectWithFlash(w, r, "/admin/organizations", "Nothing changed in "+o.Name+".")
	}
	return s.redirectWithFlash(w, r, "/admin/organizations", o.Name+" saved.")
}
