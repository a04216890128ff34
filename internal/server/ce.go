package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/peerboard/peerboard/internal/cefile"
	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/web/views"
	ceviews "github.com/peerboard/peerboard/web/views/ce"
)

// cePageSize is how many CE records a list page shows.
const cePageSize = 25

// multipartAllowance is room for the other fields and part headers of an
// upload form, on top of the file's own limit.

// ceRoutes: continuing education for holders and training organizations.
func (s *Server) ceRoutes(r chi.Router) {
	s.route(r, http.MethodGet, "/ce", applicants, s.holderCE)
	s.route(r, http.MethodGet, "/ce/new", applicants, s.newCEForm)
	s.route(r, http.MethodPost, "/ce/new", applicants, s.logCE)
	s.route(r, http.MethodGet, "/trainer/ce", trainers, s.orgCE)
	s.route(r, http.MethodGet, "/trainer/ce/new", trainers, s.postCEForm)
	s.route(r, http.MethodPost, "/trainer/ce/new", trainers, s.postCE)
	s.route(r, http.MethodPost, "/trainer/ce/roster", trainers, s.importRoster)
	s.route(r, http.MethodGet, "/files/{id}", signedIn, s.downloadFile) // handler in files.go
}

// ceCycles returns the current cycle of each credential that CE still
// counts toward (not revoked or surrendered), with its type.
func (s *Server) ceCycles(r *http.Request, u *peerboard.User) ([]ceviews.Cycle, map[int64]*peerboard.CredentialType, error) {
	creds, err := s.db.CredentialsOfUser(r.Context(), u.ID)
	if err != nil {
		return nil, nil, err
	}
	var cycles []ceviews.Cycle
	types := map[int64]*peerboard.CredentialType{}
	for _, c := range creds {
		if c.Status == peerboard.CredRevoked || c.Status == peerboard.CredSurrendered {
			continue
		}
		t, ok := types[c.CredentialTypeID]
		if !ok {
			// A holder has one credential per type, so this is a query or two.
			if t, err = s.db.CredentialTypeByID(r.Context(), c.CredentialTypeID); err != nil {
				return nil, nil, err
			}
			types[c.CredentialTypeID] = t
		}
		start, end := peerboard.CycleOf(*t, c.IssuedOn, c.ExpiresOn)
		cycles = append(cycles, ceviews.Cycle{Credential: c, Start: start, End: end,
			DaysLeft: int(end.Sub(s.today()).Hours() / 24)})
	}
	return cycles, types, nil
}

// ceProgress is ceCycles with each cycle's CE evaluated: one query for the
// activities of all cycles together.
func (s *Server) ceProgress(r *http.Request, u *peerboard.User) ([]ceviews.Cycle, map[int64]*peerboard.CredentialType, error) {
	cycles, types, err := s.ceCycles(r, u)
	if err != nil || len(cycles) == 0 {
		return cycles, types, err
	}
	start, end := cycleSpan(cycles)
	acts, err := s.db.CEOfUserBetween(r.Context(), u.ID, start, end)
	if err != nil {
		return nil, nil, err
	}
	for i, c := range cycles {
		cycles[i].Progress = peerboard.EvaluateCE(*types[c.Credential.CredentialTypeID], c.Start, c.End, acts)
	}
	return cycles, types, nil
}

// cycleSpan is the dates CE may be logged for: from the earliest current
// cycle's start to the latest one's end.
func cycleSpan(cycles []ceviews.Cycle) (start, end time.Time) {
	for i, c := range cycles {
		if i == 0 || c.Start.Before(start) {
			start = c.Start
		}
		if i == 0 || c.End.After(end) {
			end = c.End
		}
	}
	return start, end
}

func activityRow(rec postgres.CERecord) ceviews.Activity {
	return ceviews.Activity{ID: rec.ID, Title: rec.Title, Provider: rec.Provider, PersonName: rec.PersonName,
		PersonEmail: rec.PersonEmail, Date: rec.Date, Hours: rec.Hours, Category: rec.Category,
		Verified: rec.Source == peerboard.CEVerified, ProofFileID: rec.ProofFileID, AuditStatus: rec.AuditStatus,
		Linked: rec.UserID != nil, CreatedAt: rec.CreatedAt}
}

// parseCECursor reads the holder list's "after" parameter, "2026-03-01.123";
// anything else is the first page.
func parseCECursor(v string) postgres.CECursor {
	d, id, ok := strings.Cut(v, ".")
	if !ok {
		return postgres.CECursor{}
	}
	date, err1 := time.Parse(time.DateOnly, d)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || n <= 0 {
		return postgres.CECursor{}
	}
	return postgres.CECursor{Date: date, ID: n}
}

// holderCE shows the CE progress of each credential's current cycle and the
// holder's activities, newest first.
func (s *Server) holderCE(w http.ResponseWriter, r *http.Request) error {
	u := peerboard.UserFromContext(r.Context())
	cycles, _, err := s.ceProgress(r, u)
	if err != nil {
		return err
	}
	cursor := parseCECursor(r.URL.Query().Get("after"))
	recs, err := s.db.CEOfUser(r.Context(), u.ID, cursor, cePageSize)
	if err != nil {
		return err
	}
	m := ceviews.HolderModel{Cycles: cycles}
	if cursor.ID > 0 {
		m.Newer = "/ce"
	}
	if len(recs) > cePageSize {
		recs = recs[:cePageSize]
		last := recs[len(recs)-1]
		m.Older = "/ce?" + url.Values{"after": {last.Date.Format(time.DateOnly) + "." + strconv.FormatInt(last.ID, 10)}}.Encode()
	}
	for _, rec := range recs {
		m.Activities = append(m.Activities, activityRow(rec))
	}
	s.render(w, r, http.StatusOK, ceviews.Holder(s.page(r, "Continuing education"), m))
	return nil
}

// newCEForm shows the form to log an activity, or why the holder cannot yet.
func (s *Server) newCEForm(w http.ResponseWriter, r *http.Request) error {
	cycles, _, err := s.ceCycles(r, peerboard.UserFromContext(r.Context()))
	if err != nil {
		return err
	}
	m := ceviews.NewActivityModel{NoCredential: len(cycles) == 0}
	m.CycleStart, m.CycleEnd = cycleSpan(cycles)
	s.render(w, r, http.StatusOK, ceviews.NewActivity(s.page(r, "Log a CE activity"), m))
	return nil
}

// logCE stores a self-reported activity and its optional proof together.
func (s *Server) logCE(w http.ResponseWriter, r *http.Request) error {
	u := peerboard.UserFromContext(r.Context())
	data, filename, chosen, err := readUpload(w, r, "proof", peerboard.MaxUploadBytes, "The file is larger than 10 MB. Choose a smaller PDF, PNG or JPEG file.")
	if err != nil {
		return err
	}
	cycles, _, err := s.ceCycles(r, u)
	if err != nil {
		return err
	}
	form := ceviews.ActivityForm{Title: r.PostFormValue("title"), Provider: r.PostFormValue("provider"),
		Date: strings.TrimSpace(r.PostFormValue("date")), Hours: r.PostFormValue("hours"), Category: r.PostFormValue("category")}
	m := ceviews.NewActivityModel{Form: form, FileChosen: chosen}
	m.CycleStart, m.CycleEnd = cycleSpan(cycles)
	if len(cycles) == 0 {
		m.NoCredential = true
		s.render(w, r, http.StatusUnprocessableEntity, ceviews.NewActivity(s.page(r, "Log a CE activity"), m))
		return nil
	}

	// Unreadable dates and hours stay zero, which validation refuses; their
	// own messages then replace the generic ones.
	parseErrs := map[string]string{}
	a := peerboard.CEActivity{Title: form.Title, Provider: form.Provider, Category: peerboard.CECategory(form.Category)}
	if d, err := time.Parse(time.DateOnly, form.Date); err == nil {
		a.Date = d
	} else if form.Date != "" {
		parseErrs["date"] = "Enter the date like 2026-03-31."
	}
	var msg string
	if a.Hours, msg = cefile.Hours(form.Hours); msg != "" {
		parseErrs["hours"] = msg
	}
	var proof *postgres.CEProof
	if chosen {
		proof = &postgres.CEProof{Filename: filename, Data: data}
	}
	rec, err := s.db.LogCEActivity(r.Context(), &a, m.CycleStart, m.CycleEnd, proof)
	switch code := peerboard.ErrorCode(err); {
	case err == nil:
		return s.redirectWithFlash(w, r, "/ce", fmt.Sprintf("Logged %q: %s %s of %s.", rec.Title,
			peerboard.FormatHours(rec.Hours), plural(rec.Hours, "hour", "hours"), rec.Category.Label()))
	case code == peerboard.EINVALID && peerboard.ErrorFields(err) != nil:
		m.Errors = views.Errors(peerboard.ErrorFields(err))
		for k, v := range parseErrs {
			m.Errors[k] = v
		}
		m.Message = peerboard.ErrorMessage(err)
		if chosen {
			m.Message += " Choose your proof file again before sending the form."
		}
		s.render(w, r, http.StatusUnprocessableEntity, ceviews.NewActivity(s.page(r, "Log a CE activity"), m))
		return nil
	case code == peerboard.ECONFLICT:
		m.Message = peerboard.ErrorMessage(err)
		s.render(w, r, http.StatusConflict, ceviews.NewActivity(s.page(r, "Log a CE activity"), m))
		return nil
	}
	return err
}

func plural(h float64, one, many string) string {
	if h == 1 {
		return one
	}
	return many
}

// trainerOrg returns the signed-in trainer's organization id; the trainers
// policy guarantees there is one.
func trainerOrg(r *http.Request) (*peerboard.User, int64) {
	u := peerboard.UserFromContext(r.Context())
	return u, *u.OrganizationID
}

// orgCE lists the CE the trainer's organization posted, newest first.
func (s *Server) orgCE(w http.ResponseWriter, r *http.Request) error {
	_, orgID := trainerOrg(r)
	org, err := s.db.OrganizationByID(r.Context(), orgID)
	if err != nil {
		return err
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	recs, err := s.db.CEOfOrganization(r.Context(), orgID, before, cePageSize)
	if err != nil {
		return err
	}
	m := ceviews.OrgModel{Org: *org, ApprovedToday: org.ApprovedOn(s.today())}
	if before > 0 {
		m.Newer = "/trainer/ce"
	}
	if len(recs) > cePageSize {
		recs = recs[:cePageSize]
		m.Older = "/trainer/ce?before=" + strconv.FormatInt(recs[len(recs)-1].ID, 10)
	}
	for _, rec := range recs {
		m.Activities = append(m.Activities, activityRow(rec))
	}
	s.render(w, r, http.StatusOK, ceviews.Org(s.page(r, "Posted CE"), m))
	return nil
}

func (s *Server) postCEForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, ceviews.Post(s.page(r, "Post a CE completion"), ceviews.PostModel{}))
	return nil
}

// postCE records one verified CE completion for a person by email.
func (s *Server) postCE(w http.ResponseWriter, r *http.Request) error {
	_, orgID := trainerOrg(r)
	if err := parseForm(w, r); err != nil {
		return err
	}
	e := cefile.Entry{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Title: r.PostFormValue("title"),
		Date: r.PostFormValue("date"), Hours: r.PostFormValue("hours"), Category: r.PostFormValue("category")}
	m := ceviews.PostModel{Form: e}
	row, fields := cefile.Check(e, s.today())
	if fields != nil {
		m.Errors, m.Message = views.Errors(fields), "Check the highlighted fields."
		s.render(w, r, http.StatusUnprocessableEntity, ceviews.Post(s.page(r, "Post a CE completion"), m))
		return nil
	}
	rec, err := s.db.PostCE(r.Context(), orgID, row)
	if peerboard.ErrorCode(err) == peerboard.ECONFLICT {
		m.Message = peerboard.ErrorMessage(err)
		s.render(w, r, http.StatusConflict, ceviews.Post(s.page(r, "Post a CE completion"), m))
		return nil
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, "/trainer/ce", fmt.Sprintf("Posted %q for %s.", rec.Title, rec.PersonEmail))
}

// importRoster validates a roster CSV whole and imports it, or lists every
// bad line and imports nothing.
func (s *Server) importRoster(w http.ResponseWriter, r *http.Request) error {
	_, orgID := trainerOrg(r)
	data, filename, chosen, err := readUpload(w, r, "roster", cefile.MaxBytes, "The roster is larger than 2 MB. Split it into smaller files.")
	if err != nil {
		return err
	}
	page := s.page(r, "Roster not imported")
	if !chosen {
		s.render(w, r, http.StatusUnprocessableEntity, ceviews.Roster(page, ceviews.RosterModel{Message: "Choose a CSV file to upload."}))
		return nil
	}
	filename = peerboard.CleanFilename(filename, "") + ".csv" // safe to show and to log
	rep, err := s.db.ImportCERoster(r.Context(), orgID, filename, data)
	if err != nil {
		return err
	}
	if len(rep.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, ceviews.Roster(page, ceviews.RosterModel{Filename: filename, Errors: rep.Errors}))
		return nil
	}
	return s.redirectWithFlash(w, r, "/trainer/ce", fmt.Sprintf("Imported %s: %d rows, %d new, %d already recorded.",
		filename, rep.Rows, rep.New, rep.Rows-rep.New))
}
