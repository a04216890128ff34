package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/web/views"
	"github.com/peerboard/peerboard/web/views/applicant"
)

// dashboardApplications bounds the applications the dashboard lists; older
// closed ones stay in the database and the audit trail.
const dashboardApplications = 50

func (s *Server) applicantRoutes(r chi.Router) {
	s.route(r, http.MethodGet, "/applications/new", applicants, s.newApplicationForm)
	s.route(r, http.MethodPost, "/applications/new", applicants, s.createApplication)
	s.route(r, http.MethodGet, "/applications/{id}", applicants, s.showApplication)
	s.route(r, http.MethodPost, "/applications/{id}", applicants, s.saveApplication)
	s.route(r, http.MethodPost, "/applications/{id}/submit", applicants, s.submitApplication)
	s.route(r, http.MethodPost, "/applications/{id}/respond", applicants, s.respondToRequest)
	s.route(r, http.MethodGet, "/applications/{id}/withdraw", applicants, s.withdrawForm)
	s.route(r, http.MethodPost, "/applications/{id}/withdraw", applicants, s.withdrawApplication)
}

// applicantDashboard shows the applicant's applications with their next
// step, their credentials and their exam authorizations.
func (s *Server) applicantDashboard(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u := peerboard.UserFromContext(ctx)
	m := applicant.Dashboard{Today: s.today()}
	if !u.EmailVerified() {
		m.UnconfirmedEmail = u.Email
	}
	var err error
	if m.Applications, err = s.db.ApplicationsOfUser(ctx, u.ID, dashboardApplications); err != nil {
		return err
	}
	cycles, types, err := s.ceProgress(r, u)
	if err != nil {
		return err
	}
	today := s.today()
	for _, c := range cycles {
		t := types[c.Credential.CredentialTypeID]
		m.Credentials = append(m.Credentials, applicant.HeldCredential{
			Cycle:              c,
			RenewalOpen:        peerboard.RenewalWindowOpen(*t, c.Credential.ExpiresOn, today),
			NeedsReinstatement: peerboard.NeedsReinstatement(*t, c.Credential.ExpiresOn, today),
		})
	}
	if m.Renewals, err = s.db.RenewalsOfHolder(ctx, u.ID, dashboardApplications); err != nil {
		return err
	}
	if m.Exams, err = s.db.ExamAuthorizationsOfUser(ctx, u.ID); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, applicant.DashboardPage(s.page(r, "Dashboard"), m))
	return nil
}

func (s *Server) newApplicationForm(w http.ResponseWriter, r *http.Request) error {
	types, err := s.db.CredentialTypes(r.Context(), true)
	if err != nil {
		return err
	}
	m := applicant.NewForm{Types: types, Today: s.today(), Pathway: string(peerboard.PathwayStandard)}
	if len(types) == 1 {
		m.CredentialTypeID = strconv.FormatInt(types[0].ID, 10)
	}
	s.render(w, r, http.StatusOK, applicant.NewPage(s.page(r, "Start an application"), m))
	return nil
}

func (s *Server) createApplication(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	ctx := r.Context()
	u := peerboard.UserFromContext(ctx)
	m := applicant.NewForm{Today: s.today(), CredentialTypeID: r.PostForm.Get("credential_type_id"), Pathway: r.PostForm.Get("pathway")}
	typeID, _ := strconv.ParseInt(m.CredentialTypeID, 10, 64)
	var err error
	switch {
	case typeID <= 0:
		err = peerboard.FieldErrors("Please choose a credential", map[string]string{"credential_type_id": "Choose a credential"})
	case !peerboard.Pathway(m.Pathway).Valid():
		err = peerboard.FieldErrors("Please choose a pathway", map[string]string{"pathway": "Choose a pathway"})
	default:
		var a *peerboard.Application
		if a, err = s.db.CreateApplication(ctx, u.ID, typeID, peerboard.Pathway(m.Pathway)); err == nil {
			return s.redirectWithFlash(w, r, "/applications/"+strconv.FormatInt(a.ID, 10), "Your draft application is ready. Save it at any time.")
		}
	}
	code := peerboard.ErrorCode(err)
	if code != peerboard.EINVALID && code != peerboard.ECONFLICT {
		return err
	}
	m.Errors, m.Message = peerboard.ErrorFields(err), peerboard.ErrorMessage(err)
	if m.Types, err = s.db.CredentialTypes(ctx, true); err != nil {
		return err
	}
	if code == peerboard.ECONFLICT {
		m.Errors = views.Errors{"credential_type_id": "You already have an open application for this credential"}
	}
	s.render(w, r, statusOf[code], applicant.NewPage(s.page(r, "Start an application"), m))
	return nil
}

// ownApplication loads the application named in the URL, answering 404
// (never 403) when it is not the signed-in applicant's, so ids reveal nothing.
func (s *Server) ownApplication(r *http.Request) (*peerboard.Application, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	a, err := s.db.ApplicationByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if u := peerboard.UserFromContext(r.Context()); !peerboard.CanViewApplication(u, a) || u.ID != a.ApplicantID {
		return nil, peerboard.Errorf(peerboard.ENOTFOUND, "")
	}
	return a, nil
}

// formVersion reads the version the user saw; a form without one was not
// made by our pages.
func formVersion(r *http.Request) (int, error) {
	v, err := strconv.Atoi(r.PostForm.Get("version"))
	if err != nil || v <= 0 {
		return 0, peerboard.Errorf(peerboard.EMALFORMED, "The form could not be read. Reload the page and try again.")
	}
	return v, nil
}

func (s *Server) showApplication(w http.ResponseWriter, r *http.Request) error {
	a, err := s.ownApplication(r)
	if err != nil {
		return err
	}
	if a.Status.Editable() {
		s.renderEdit(w, r, http.StatusOK, applicant.Edit{App: a, Form: applicant.FormFromApplication(a)})
		return nil
	}
	return s.renderShow(w, r, http.StatusOK, applicant.Show{App: a})
}

func (s *Server) renderEdit(w http.ResponseWriter, r *http.Request, status int, m applicant.Edit) {
	s.render(w, r, status, applicant.EditPage(s.page(r, m.App.CredentialTypeName+" application"), m))
}

// renderShow renders the read-only case with its timeline and exam authorization.
func (s *Server) renderShow(w http.ResponseWriter, r *http.Request, status int, m applicant.Show) error {
	ctx := r.Context()
	var err error
	if m.Timeline, err = s.db.Timeline(ctx, m.App.ID); err != nil {
		return err
	}
	if m.App.Status == peerboard.AppApproved {
		exams, err := s.db.ExamAuthorizationsOfUser(ctx, m.App.ApplicantID)
		if err != nil {
			return err
		}
		for i := range exams {
			if exams[i].ApplicationID == m.App.ID {
				m.Exam = &exams[i]
			}
		}
	}
	s.render(w, r, status, applicant.ShowPage(s.page(r, m.App.CredentialTypeName+" application"), m))
	return nil
}

// parseDraft reads the draft form. Partial input is fine; malformed values
// (a bad date, hours that are not a number, unknown choices, overlong text)
// are field errors.
func parseDraft(r *http.Request) (applicant.DraftForm, postgres.DraftInput, views.Errors) {
	get := func(k string) string { return strings.TrimSpace(r.PostForm.Get(k)) }
	f := applicant.DraftForm{
		FirstName: get("first_name"), LastName: get("last_name"), Phone: get("phone"), AddressLine: get("address_line"),
		City: get("city"), State: get("state"), PostalCode: get("postal_code"), DateOfBirth: get("date_of_birth"),
		LivedExperience: get("lived_experience"), SupervisedHours: get("supervised_hours"),
		PriorTrainingKind: get("prior_training_kind"), PriorTrainingCompletedOn: get("prior_training_completed_on"),
		PriorTrainingProvider: get("prior_training_provider"), Signed: map[peerboard.AttestationKind]bool{},
	}
	errs := views.Errors{}
	for _, k := range peerboard.AllAttestations() {
		f.Signed[k] = r.PostForm.Get(applicant.AttestationField(k)) != ""
	}
	for key, val := range map[string]string{"first_name": f.FirstName, "last_name": f.LastName, "phone": f.Phone,
		"address_line": f.AddressLine, "city": f.City, "state": f.State, "postal_code": f.PostalCode,
		"prior_training_provider": f.PriorTrainingProvider} {
		if utf8.RuneCountInString(val) > 200 {
			errs[key] = "At most 200 characters"
		}
	}
	in := postgres.DraftInput{
		Details: peerboard.ApplicantDetails{FirstName: f.FirstName, LastName: f.LastName, Phone: f.Phone,
			AddressLine: f.AddressLine, City: f.City, State: f.State, PostalCode: f.PostalCode},
		LivedExperience:       peerboard.LivedExperience(f.LivedExperience),
		PriorTrainingKind:     f.PriorTrainingKind,
		PriorTrainingProvider: f.PriorTrainingProvider,
		Signed:                f.Signed,
	}
	in.Details.DateOfBirth = parseDate(f.DateOfBirth, "date_of_birth", errs)
	in.PriorTrainingCompletedOn = parseDate(f.PriorTrainingCompletedOn, "prior_training_completed_on", errs)
	if f.SupervisedHours != "" {
		n, err := strconv.Atoi(f.SupervisedHours)
		if err != nil || n < 0 || n > 100000 {
			errs["supervised_hours"] = "Enter a whole number of hours, like 300"
		}
		in.SupervisedHours = n
	}
	if f.LivedExperience != "" && !in.LivedExperience.Valid() {
		errs["lived_experience"] = "Choose one of the options"
	}
	if k := f.PriorTrainingKind; k != "" && k != peerboard.PriorTrainingRSS && k != peerboard.PriorTrainingRecoveryCoach {
		errs["prior_training_kind"] = "Choose one of the options"
	}
	return f, in, errs
}

// parseDate reads an optional YYYY-MM-DD date, noting a malformed one in errs.
func parseDate(s, key string, errs views.Errors) *time.Time {
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Year() < 1900 {
		errs[key] = "Enter a real date as YYYY-MM-DD, like 1980-05-01"
		return nil
	}
	return &t
}

// submissionErrors returns ValidateSubmission's field errors keyed by form input.
func submissionErrors(err error) views.Errors {
	return views.Errors(peerboard.ErrorFields(err))
}

func (s *Server) saveApplication(w http.ResponseWriter, r *http.Request) error {
	return s.saveOrSubmit(w, r, false)
}

func (s *Server) submitApplication(w http.ResponseWriter, r *http.Request) error {
	return s.saveOrSubmit(w, r, true)
}

// saveOrSubmit handles the draft form's two buttons. A refused form is shown
// again with the applicant's input; a stale one says what changed.
func (s *Server) saveOrSubmit(w http.ResponseWriter, r *http.Request, submit bool) error {
	a, err := s.ownApplication(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	version, err := formVersion(r)
	if err != nil {
		return err
	}
	form, in, errs := parseDraft(r)
	if !a.Status.Editable() {
		return s.alreadyMoved(w, r, a, version, submit)
	}
	if len(errs) > 0 {
		s.renderEdit(w, r, http.StatusUnprocessableEntity, applicant.Edit{App: a, Form: form, Errors: errs,
			Message: "Some answers are not valid, so nothing was saved."})
		return nil
	}
	ctx := r.Context()
	if submit {
		_, err = s.db.SubmitApplication(ctx, a.ID, version, &in)
	} else {
		_, err = s.db.SaveDraft(ctx, a.ID, version, in)
	}
	switch peerboard.ErrorCode(err) {
	case "":
		if submit {
			return s.redirectWithFlash(w, r, "/applications/"+strconv.FormatInt(a.ID, 10), "Your application was submitted to the board.")
		}
		return s.redirectWithFlash(w, r, "/applications/"+strconv.FormatInt(a.ID, 10), "Your draft was saved.")
	case peerboard.EINVALID:
		errs := peerboard.ErrorFields(err)
		if submit {
			errs = submissionErrors(err)
		}
		s.renderEdit(w, r, http.StatusUnprocessableEntity, applicant.Edit{App: a, Form: form, Errors: errs,
			Message: peerboard.ErrorMessage(err) + ". Nothing was saved."})
		return nil
	case peerboard.ECONFLICT:
		current, lerr := s.db.ApplicationByID(ctx, a.ID)
		if lerr != nil {
			return lerr
		}
		if !current.Status.Editable() {
			return s.alreadyMoved(w, r, current, version, submit)
		}
		// Still a draft, changed elsewhere (another tab): keep the input, offer the new version.
		s.renderEdit(w, r, http.StatusConflict, applicant.Edit{App: current, Form: form,
			Message: "This application changed since you opened it (perhaps in another tab or window), so nothing was saved. " +
				"Your answers are below: check them and save again."})
		return nil
	}
	return err
}

// alreadyMoved answers a draft form sent for a case that is no longer a
// draft: a repeated submit (double click, back button) goes to the case with
// a friendly note; anything else gets the stale-form message.
func (s *Server) alreadyMoved(w http.ResponseWriter, r *http.Request, a *peerboard.Application, version int, submit bool) error {
	to := "/applications/" + strconv.FormatInt(a.ID, 10)
	if submit && a.Status != peerboard.AppWithdrawn && a.Status != peerboard.AppAbandoned {
		return s.redirectWithFlash(w, r, to, "Your application was already submitted; it was not sent twice.")
	}
	return s.redirectWithFlash(w, r, to, "This application changed since you opened it: it is now "+
		strings.ToLower(a.Status.Label())+", so your changes were not saved.")
}

func (s *Server) respondToRequest(w http.ResponseWriter, r *http.Request) error {
	a, err := s.ownApplication(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	version, err := formVersion(r)
	if err != nil {
		return err
	}
	m := applicant.Show{App: a, Answer: r.PostForm.Get("message"), AnswerHours: strings.TrimSpace(r.PostForm.Get("supervised_hours"))}
	var hours *int
	if m.AnswerHours != "" {
		n, perr := strconv.Atoi(m.AnswerHours)
		if perr != nil {
			m.Errors = views.Errors{"supervised_hours": "Enter a whole number of hours, like 300"}
			m.Message = "Please correct your answer"
			return s.renderShow(w, r, http.StatusUnprocessableEntity, m)
		}
		hours = &n
	}
	_, err = s.db.RespondToRequest(r.Context(), a.ID, version, m.Answer, hours)
	switch peerboard.ErrorCode(err) {
	case "":
		return s.redirectWithFlash(w, r, "/applications/"+strconv.FormatInt(a.ID, 10), "Your answer was sent and your application is back with the board.")
	case peerboard.EINVALID, peerboard.ECONFLICT:
		code := peerboard.ErrorCode(err)
		m.Errors, m.Message = peerboard.ErrorFields(err), peerboard.ErrorMessage(err)
		if m.App, err = s.db.ApplicationByID(r.Context(), a.ID); err != nil {
			return err
		}
		if code == peerboard.ECONFLICT || m.App.Version != version {
			m.Message = "This application changed since you opened it: it is now " + strings.ToLower(m.App.Status.Label()) + ". Nothing was sent."
			return s.renderShow(w, r, http.StatusConflict, m)
		}
		return s.renderShow(w, r, http.StatusUnprocessableEntity, m)
	}
	return err
}

func (s *Server) withdrawForm(w http.ResponseWriter, r *http.Request) error {
	a, err := s.ownApplication(r)
	if err != nil {
		return err
	}
	if a.Status.Terminal() {
		return s.redirectWithFlash(w, r, "/applications/"+strconv.FormatInt(a.ID, 10),
			"This application is "+strings.ToLower(a.Status.Label())+" and cannot be withdrawn.")
	}
	s.render(w, r, http.StatusOK, applicant.WithdrawPage(s.page(r, "Withdraw your application"), applicant.Withdraw{App: a}))
	return nil
}

func (s *Server) withdrawApplication(w http.ResponseWriter, r *http.Request) error {
	a, err := s.ownApplication(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	version, err := formVersion(r)
	if err != nil {
		return err
	}
	_, err = s.db.WithdrawApplication(r.Context(), a.ID, version)
	switch peerboard.ErrorCode(err) {
	case "":
		return s.redirectWithFlash(w, r, "/dashboard", "Your application was withdrawn.")
	case peerboard.EINVALID, peerboard.ECONFLICT:
		current, lerr := s.db.ApplicationByID(r.Context(), a.ID)
		if lerr != nil {
			return lerr
		}
		if current.Status.Terminal() {
			return s.redirectWithFlash(w, r, "/applications/"+strconv.FormatInt(a.ID, 10),
				"This application is already "+strings.ToLower(current.Status.Label())+"; nothing changed.")
		}
		s.render(w, r, http.StatusConflict, applicant.WithdrawPage(s.page(r, "Withdraw your application"), applicant.Withdraw{App: current,
			Message: "This application changed since you opened this page: it is now " + strings.ToLower(current.Status.Label()) +
				". Nothing was withdrawn. Confirm again if you still want to withdraw it."}))
		return nil
	}
	return err
}
