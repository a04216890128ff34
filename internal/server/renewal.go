package server

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/internal/postgres"
	"github.com/peerboard/peerboard/web/views"
	"github.com/peerboard/peerboard/web/views/renewal"
)

// voluntaryActions are the holder's own status changes and where they lead.
var voluntaryActions = map[string]peerboard.CredentialStatus{
	"inactive":   peerboard.CredInactive,
	"surrender":  peerboard.CredSurrendered,
	"reactivate": peerboard.CredActive,
}

// renewalRoutes: renewals, CE audits and voluntary status changes.
func (s *Server) renewalRoutes(r chi.Router) {
	s.route(r, http.MethodGet, "/credentials/{id}/renew", applicants, s.renewForm)
	s.route(r, http.MethodPost, "/credentials/{id}/renew", applicants, s.submitRenewal)
	s.route(r, http.MethodGet, "/renewals/{id}", applicants, s.showRenewal)
	s.route(r, http.MethodPost, "/renewals/{id}/items/{ceID}/proof", applicants, s.uploadProof)
	s.route(r, http.MethodPost, "/renewals/{id}/respond", applicants, s.respondToRenewal)
	for _, action := range []string{"inactive", "surrender", "reactivate"} {
		s.route(r, http.MethodGet, "/credentials/{id}/"+action, applicants, s.statusChangeForm(action))
		s.route(r, http.MethodPost, "/credentials/{id}/"+action, applicants, s.changeStatus(action))
	}
	s.route(r, http.MethodGet, "/review/renewals", staff, s.renewalQueue)
	s.route(r, http.MethodGet, "/review/renewals/{id}", staff, s.staffRenewal)
	s.route(r, http.MethodPost, "/review/renewals/{id}/items/{ceID}", staff, s.reviewRenewalItem)
	s.route(r, http.MethodPost, "/review/renewals/{id}/decide", staff, s.decideRenewal)
}

// postedVersion reads the version the user saw.
func postedVersion(r *http.Request) (int, error) {
	v, err := strconv.Atoi(r.PostForm.Get("version"))
	if err != nil || v <= 0 {
		return 0, peerboard.Errorf(peerboard.EMALFORMED, "The form could not be read. Reload the page and try again.")
	}
	return v, nil
}

// renderRenew renders the renewal page of a credential with status.
func (s *Server) renderRenew(w http.ResponseWriter, r *http.Request, status int, m renewal.Renew) {
	s.render(w, r, status, renewal.RenewPage(s.page(r, "Renew "+m.Ov.Credential.Number), m))
}

func (s *Server) renewForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ov, err := s.db.RenewalOverview(r.Context(), id)
	if err != nil {
		return err
	}
	s.renderRenew(w, r, http.StatusOK, renewal.Renew{Ov: ov})
	return nil
}

func (s *Server) submitRenewal(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	ctx := r.Context()
	signed := map[peerboard.AttestationKind]bool{}
	for _, k := range peerboard.RenewalAttestations() {
		signed[k] = r.PostForm.Get(renewal.AttestationField(k)) != ""
	}
	rn, err := s.db.SubmitRenewal(ctx, id, signed, rand.Reader)
	if err == nil {
		msg := "Your renewal was submitted. We sent you a confirmation."
		if rn.AuditSelected {
			msg = "Your renewal was submitted and selected at random for a CE audit: upload proof for each self-reported activity below."
		}
		return s.redirectWithFlash(w, r, fmt.Sprintf("/renewals/%d", rn.ID), msg)
	}
	code := peerboard.ErrorCode(err)
	if code != peerboard.EINVALID && code != peerboard.ECONFLICT {
		return err
	}
	ov, oerr := s.db.RenewalOverview(ctx, id)
	if oerr != nil {
		return oerr
	}
	if code == peerboard.ECONFLICT && ov.Existing != nil {
		// A second click or a second visit: say so and show the one renewal.
		return s.redirectWithFlash(w, r, fmt.Sprintf("/renewals/%d", ov.Existing.ID), peerboard.ErrorMessage(err))
	}
	s.renderRenew(w, r, statusOf[code], renewal.Renew{Ov: ov, Signed: signed,
		Message: peerboard.ErrorMessage(err), Errors: peerboard.ErrorFields(err)})
	return nil
}

// ownRenewal loads the renewal named in the URL for its holder: anyone
// else's is not found, so ids reveal nothing.
func (s *Server) ownRenewal(r *http.Request) (*postgres.RenewalDetail, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	d, err := s.db.RenewalDetail(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if u := peerboard.UserFromContext(r.Context()); !peerboard.CanViewRenewal(u, d.Renewal) || u.ID != d.Renewal.HolderID {
		return nil, peerboard.Errorf(peerboard.ENOTFOUND, "")
	}
	return d, nil
}

func (s *Server) renderHolderRenewal(w http.ResponseWriter, r *http.Request, status int, m renewal.HolderRenewal) error {
	var err error
	if m.Trail, err = s.db.AuditTrail(r.Context(), "renewal", m.D.Renewal.ID); err != nil {
		return err
	}
	s.render(w, r, status, renewal.HolderRenewalPage(s.page(r, "Renewal of "+m.D.Renewal.CredentialNumber), m))
	return nil
}

func (s *Server) showRenewal(w http.ResponseWriter, r *http.Request) error {
	d, err := s.ownRenewal(r)
	if err != nil {
		return err
	}
	return s.renderHolderRenewal(w, r, http.StatusOK, renewal.HolderRenewal{D: d})
}

func (s *Server) uploadProof(w http.ResponseWriter, r *http.Request) error {
	// Ownership first, so another holder learns nothing from the size check.
	d, err := s.ownRenewal(r)
	if err != nil {
		return err
	}
	ceID, err := pathID(r, "ceID")
	if err != nil {
		return err
	}
	field := renewal.ProofField(ceID)
	data, name, chosen, err := readUpload(w, r, "file", peerboard.MaxUploadBytes,
		"The file is larger than 10 MB. Upload a smaller PDF, PNG or JPEG.")
	if err == nil && !chosen {
		err = peerboard.Errorf(peerboard.EINVALID, "Choose a file to upload.")
	}
	if err == nil {
		_, err = s.db.UploadProof(r.Context(), d.Renewal.ID, ceID, name, data)
		if err == nil {
			return s.redirectWithFlash(w, r, fmt.Sprintf("/renewals/%d", d.Renewal.ID), "Your proof was uploaded. The board will review it.")
		}
	}
	code := peerboard.ErrorCode(err)
	if code != peerboard.EINVALID && code != peerboard.ETOOLARGE {
		return err
	}
	msg := peerboard.ErrorMessage(err)
	if d, err = s.ownRenewal(r); err != nil {
		return err
	}
	return s.renderHolderRenewal(w, r, statusOf[code], renewal.HolderRenewal{D: d, Message: "The proof was not uploaded.",
		Errors: views.Errors{field: msg}})
}

func (s *Server) respondToRenewal(w http.ResponseWriter, r *http.Request) error {
	d, err := s.ownRenewal(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	v, err := postedVersion(r)
	if err != nil {
		return err
	}
	answer := r.PostForm.Get("message")
	_, err = s.db.RespondToRenewal(r.Context(), d.Renewal.ID, v, answer)
	if err == nil {
		return s.redirectWithFlash(w, r, fmt.Sprintf("/renewals/%d", d.Renewal.ID), "Your answer was sent. The board will review your renewal again.")
	}
	code := peerboard.ErrorCode(err)
	if code != peerboard.EINVALID && code != peerboard.ECONFLICT {
		return err
	}
	m := renewal.HolderRenewal{Message: peerboard.ErrorMessage(err), Errors: peerboard.ErrorFields(err)}
	if m.D, err = s.ownRenewal(r); err != nil {
		return err
	}
	if code == peerboard.EINVALID {
		m.Answer = answer
	}
	return s.renderHolderRenewal(w, r, statusOf[code], m)
}

// statusChangeModel says whether action can be made on cred today and, if
// not, why.
func (s *Server) statusChangeModel(cred *postgres.HeldCredential, action string) renewal.StatusChange {
	m := renewal.StatusChange{Cred: cred, Action: action}
	to := voluntaryActions[action]
	err := peerboard.CheckCredentialTransition(cred.Status, to, peerboard.ActorApplicant)
	if err == nil && cred.Status == peerboard.CredInactive && to == peerboard.CredActive {
		err = peerboard.CheckReactivation(*cred.Type, cred.ExpiresOn, s.today())
	}
	m.Allowed = err == nil
	m.Message = peerboard.ErrorMessage(err)
	return m
}

func (s *Server) statusChangeForm(action string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		cred, err := s.db.HolderCredential(r.Context(), id)
		if err != nil {
			return err
		}
		m := s.statusChangeModel(cred, action)
		s.render(w, r, http.StatusOK, renewal.StatusChangePage(s.page(r, m.Heading()), m))
		return nil
	}
}

func (s *Server) changeStatus(action string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		ctx := r.Context()
		// Not found before anything else, so another holder's id reveals nothing.
		if _, err := s.db.HolderCredential(ctx, id); err != nil {
			return err
		}
		if err := parseForm(w, r); err != nil {
			return err
		}
		v, err := postedVersion(r)
		if err != nil {
			return err
		}
		cred, err := s.db.ChangeCredentialStatus(ctx, id, v, voluntaryActions[action])
		if err == nil {
			return s.redirectWithFlash(w, r, "/dashboard",
				fmt.Sprintf("Credential %s is now %s.", cred.Number, strings.ToLower(cred.Status.Label())))
		}
		code := peerboard.ErrorCode(err)
		if code != peerboard.EINVALID && code != peerboard.ECONFLICT {
			return err
		}
		cur, cerr := s.db.HolderCredential(ctx, id)
		if cerr != nil {
			return cerr
		}
		m := s.statusChangeModel(cur, action)
		m.Message = peerboard.ErrorMessage(err)
		s.render(w, r, statusOf[code], renewal.StatusChangePage(s.page(r, m.Heading()), m))
		return nil
	}
}

func (s *Server) renewalQueue(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var f postgres.RenewalQueueFilter
	var err error
	if a := q.Get("after"); a != "" {
		if f.After, err = postgres.ParseQueueCursor(a); err != nil {
			return err
		}
	} else if b := q.Get("before"); b != "" {
		if f.Before, err = postgres.ParseQueueCursor(b); err != nil {
			return err
		}
	}
	p, err := s.db.RenewalQueue(r.Context(), f)
	if err != nil {
		return err
	}
	m := renewal.Queue{Items: p.Items}
	if p.Prev != nil {
		m.PrevURL = "/review/renewals?before=" + p.Prev.String()
	}
	if p.Next != nil {
		m.NextURL = "/review/renewals?after=" + p.Next.String()
	}
	s.render(w, r, http.StatusOK, renewal.QueuePage(s.page(r, "Renewal queue"), m))
	return nil
}

// renderStaffRenewal loads renewal id afresh and renders the staff page.
func (s *Server) renderStaffRenewal(w http.ResponseWriter, r *http.Request, status int, id int64, m renewal.StaffRenewal) error {
	ctx := r.Context()
	var err error
	if m.D, err = s.db.RenewalDetail(ctx, id); err != nil {
		return err
	}
	if m.Trail, err = s.db.AuditTrail(ctx, "renewal", id); err != nil {
		return err
	}
	m.CanDecide = peerboard.CanDecideRenewal(peerboard.UserFromContext(ctx), m.D.Renewal)
	s.render(w, r, status, renewal.StaffRenewalPage(s.page(r, "Renewal of "+m.D.Renewal.CredentialNumber), m))
	return nil
}

func (s *Server) staffRenewal(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderStaffRenewal(w, r, http.StatusOK, id, renewal.StaffRenewal{})
}

// staffFormError re-renders the staff page for a refused form: 409 with
// the current state for a stale version, 422 with the errors otherwise.
func (s *Server) staffFormError(w http.ResponseWriter, r *http.Request, id int64, err error, m renewal.StaffRenewal) error {
	code := peerboard.ErrorCode(err)
	switch code {
	case peerboard.ECONFLICT:
		return s.renderStaffRenewal(w, r, http.StatusConflict, id, renewal.StaffRenewal{Conflict: true, Message: peerboard.ErrorMessage(err)})
	case peerboard.EINVALID:
		m.Message = peerboard.ErrorMessage(err)
		if m.Errors == nil {
			m.Errors = views.Errors{}
		}
		for k, v := range peerboard.ErrorFields(err) {
			m.Errors[k] = v
		}
		return s.renderStaffRenewal(w, r, http.StatusUnprocessableEntity, id, m)
	}
	return err
}

func (s *Server) reviewRenewalItem(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ceID, err := pathID(r, "ceID")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	v, err := postedVersion(r)
	if err != nil {
		return err
	}
	note := r.PostForm.Get(renewal.NoteField(ceID))
	ruling := r.PostForm.Get("ruling")
	if ruling != "accept" && ruling != "reject" {
		return peerboard.Errorf(peerboard.EMALFORMED, "The form could not be read. Reload the page and try again.")
	}
	_, err = s.db.ReviewRenewalItem(r.Context(), id, ceID, v, ruling == "accept", note)
	if err == nil {
		return s.redirectWithFlash(w, r, fmt.Sprintf("/review/renewals/%d", id), "Activity "+ruling+"ed.")
	}
	if fields := peerboard.ErrorFields(err); fields["note"] != "" {
		err = peerboard.FieldErrors(peerboard.ErrorMessage(err), map[string]string{renewal.NoteField(ceID): fields["note"]})
	}
	return s.staffFormError(w, r, id, err, renewal.StaffRenewal{})
}

func (s *Server) decideRenewal(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	v, err := postedVersion(r)
	if err != nil {
		return err
	}
	m := renewal.StaffRenewal{Decision: r.PostForm.Get("decision"), Reason: r.PostForm.Get("reason"),
		Deadline: strings.TrimSpace(r.PostForm.Get("deadline"))}
	d := peerboard.Decision(m.Decision)
	var deadline *time.Time
	if m.Deadline != "" && d == peerboard.DecisionRequestInfo {
		t, perr := time.Parse(time.DateOnly, m.Deadline)
		if perr != nil {
			return s.staffFormError(w, r, id, peerboard.FieldErrors("Please correct the decision",
				map[string]string{"deadline": "Enter a date like 2027-01-31"}), m)
		}
		deadline = &t
	}
	out, err := s.db.DecideRenewal(r.Context(), id, v, d, m.Reason, deadline)
	if err != nil {
		return s.staffFormError(w, r, id, err, m)
	}
	msg := "Decision recorded: " + strings.ToLower(out.Renewal.Status.Label()) + ". The holder was notified."
	if out.Credential != nil {
		msg = fmt.Sprintf("Renewal approved: %s is valid until %s. The holder was notified.",
			out.Credential.Number, out.Credential.ExpiresOn.Format("January 2, 2006"))
	}
	return s.redirectWithFlash(w, r, "/review/renewals", msg)
}
