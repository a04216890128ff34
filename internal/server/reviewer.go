package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/web/views"
	"github.com/peerboard/peerboard/web/views/review"
)

func (s *Server) reviewerRoutes(r chi.Router) {
	s.route(r, http.MethodGet, "/review", staff, s.reviewQueue)
	s.route(r, http.MethodGet, "/review/applications/{id}", staff, s.reviewCase)
	s.route(r, http.MethodPost, "/review/applications/{id}/start", staff, s.startReview)
	s.route(r, http.MethodPost, "/review/applications/{id}/decide", staff, s.decideCase)
}

// reviewQueue lists what waits for the board, oldest first: applications
// (filtered by status and pathway, paged by ?after=/?before=) beside
// renewals and CE audits (paged by ?rafter=/?rbefore=); ?kind= narrows it
// to one kind.
func (s *Server) reviewQueue(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	m := review.Queue{Status: q.Get("status"), Pathway: q.Get("pathway"), Kind: q.Get("kind")}
	cursor := func(key string) (*postgres.QueueCursor, error) {
		if v := q.Get(key); v != "" {
			return postgres.ParseQueueCursor(v)
		}
		return nil, nil
	}
	var err error
	f := postgres.QueueFilter{Status: peerboard.ApplicationStatus(m.Status), Pathway: peerboard.Pathway(m.Pathway)}
	rf := postgres.RenewalQueueFilter{AuditOnly: m.Kind == review.KindAudit}
	if f.After, err = cursor("after"); err == nil {
		if f.Before, err = cursor("before"); err == nil {
			if rf.After, err = cursor("rafter"); err == nil {
				rf.Before, err = cursor("rbefore")
			}
		}
	}
	if err != nil {
		return err
	}
	if !review.ValidKind(m.Kind) {
		m.Errors, m.Message = views.Errors{"kind": "Choose a kind from the list."}, "Check the filters."
		s.render(w, r, http.StatusUnprocessableEntity, review.QueuePage(s.page(r, "Case queue"), m))
		return nil
	}
	link := func(key string, c *postgres.QueueCursor) string {
		if c == nil {
			return ""
		}
		v := url.Values{key: {c.String()}}
		for _, k := range []string{"status", "pathway", "kind"} {
			if q.Get(k) != "" {
				v.Set(k, q.Get(k))
			}
		}
		return "/review?" + v.Encode()
	}
	if m.ShowApplications() {
		page, err := s.db.ReviewQueue(r.Context(), f)
		if peerboard.ErrorCode(err) == peerboard.EINVALID {
			m.Errors, m.Message = peerboard.ErrorFields(err), peerboard.ErrorMessage(err)
			s.render(w, r, http.StatusUnprocessableEntity, review.QueuePage(s.page(r, "Case queue"), m))
			return nil
		} else if err != nil {
			return err
		}
		m.Items = page.Items
		m.PrevURL, m.NextURL = link("before", page.Prev), link("after", page.Next)
	}
	if m.ShowRenewals() {
		page, err := s.db.RenewalQueue(r.Context(), rf)
		if err != nil {
			return err
		}
		m.Renewals = page.Items
		m.RenewalPrevURL, m.RenewalNextURL = link("rbefore", page.Prev), link("rafter", page.Next)
	}
	s.render(w, r, http.StatusOK, review.QueuePage(s.page(r, "Case queue"), m))
	return nil
}

// staffCase loads the case in the URL for board staff.
func (s *Server) staffCase(r *http.Request) (*peerboard.Application, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	a, err := s.db.ApplicationByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !peerboard.CanViewApplication(peerboard.UserFromContext(r.Context()), a) {
		return nil, peerboard.Errorf(peerboard.ENOTFOUND, "")
	}
	return a, nil
}

func (s *Server) reviewCase(w http.ResponseWriter, r *http.Request) error {
	a, err := s.staffCase(r)
	if err != nil {
		return err
	}
	return s.renderCase(w, r, http.StatusOK, review.Case{App: a})
}

// renderCase fills the case page's checklist, training, timeline and audit
// trail around m.App and renders it with status.
func (s *Server) renderCase(w http.ResponseWriter, r *http.Request, status int, m review.Case) error {
	ctx := r.Context()
	in, err := s.db.ChecklistInput(ctx, m.App)
	if err != nil {
		return err
	}
	m.Training = in.Training
	m.Checklist = peerboard.Checklist(in)
	m.AllMet = peerboard.AllMet(m.Checklist)
	if m.Timeline, err = s.db.Timeline(ctx, m.App.ID); err != nil {
		return err
	}
	if m.Audit, err = s.db.CaseAuditTrail(ctx, m.App.ID); err != nil {
		return err
	}
	m.CanDecide = peerboard.CanDecideApplication(peerboard.UserFromContext(ctx), m.App)
	title := "Case " + strconv.FormatInt(m.App.ID, 10)
	s.render(w, r, status, review.CasePage(s.page(r, title), m))
	return nil
}

// caseConflict shows the case as it is now, with status 409, after a stale
// or refused form: nothing the reviewer sent was stored.
func (s *Server) caseConflict(w http.ResponseWriter, r *http.Request, id int64) error {
	current, err := s.db.ApplicationByID(r.Context(), id)
	if err != nil {
		return err
	}
	msg := "It is now " + strings.ToLower(current.Status.Label()) + "."
	return s.renderCase(w, r, http.StatusConflict, review.Case{App: current, Conflict: true, Message: msg})
}

func (s *Server) startReview(w http.ResponseWriter, r *http.Request) error {
	a, err := s.staffCase(r)
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
	_, err = s.db.StartReview(r.Context(), a.ID, version)
	switch peerboard.ErrorCode(err) {
	case "":
		return s.redirectWithFlash(w, r, "/review/applications/"+strconv.FormatInt(a.ID, 10), "You started the review of this case.")
	case peerboard.ECONFLICT, peerboard.EINVALID:
		return s.caseConflict(w, r, a.ID)
	}
	return err
}

func (s *Server) decideCase(w http.ResponseWriter, r *http.Request) error {
	a, err := s.staffCase(r)
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
	d, reason := peerboard.Decision(r.PostForm.Get("decision")), r.PostForm.Get("reason")
	out, err := s.db.DecideApplication(r.Context(), a.ID, version, d, reason)
	switch peerboard.ErrorCode(err) {
	case "":
		msg := "Decision recorded: " + out.Application.Status.Label() + "."
		switch {
		case out.Exam != nil:
			msg += " Exam authorization " + out.Exam.CandidateID + " issued."
		case out.Credential != nil:
			msg += " Credential " + out.Credential.Number + " issued."
		}
		return s.redirectWithFlash(w, r, "/review/applications/"+strconv.FormatInt(a.ID, 10), msg)
	case peerboard.EINVALID:
		if fields := peerboard.ErrorFields(err); len(fields) > 0 && a.Version == version {
			return s.renderCase(w, r, http.StatusUnprocessableEntity, review.Case{App: a, Decision: string(d), Reason: reason,
				Errors: views.Errors(fields), Message: peerboard.ErrorMessage(err)})
		}
		// A move the rules forbid means the case is no longer where the form was made.
		return s.caseConflict(w, r, a.ID)
	case peerboard.ECONFLICT:
		return s.caseConflict(w, r, a.ID)
	}
	return err
}
