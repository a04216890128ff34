package server

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/peerboard/peerboard/internal/peerboard"
	"github.com/peerboard/peerboard/web/views"
	"github.com/peerboard/peerboard/web/views/trainer"
)

// completionsPerPage is the length of a page of completions on /trainer.
const completionsPerPage = 25

func (s *Server) trainerRoutes(r chi.Router) {
	s.route(r, http.MethodGet, "/trainer", trainers, s.trainerHome)
	s.route(r, http.MethodGet, "/trainer/completions/new", trainers, s.completionForm)
	s.route(r, http.MethodPost, "/trainer/completions/new", trainers, s.recordCompletion)
	s.route(r, http.MethodGet, "/trainer/courses/new", trainers, s.courseForm)
	s.route(r, http.MethodPost, "/trainer/courses/new", trainers, s.createCourse)
}

// trainerOrgID is the acting trainer's organization id; the trainers policy
// guarantees there is one. Every query below is scoped by it, so a trainer
// never sees or writes another organization's records.
func trainerOrgID(r *http.Request) int64 {
	return *peerboard.UserFromContext(r.Context()).OrganizationID
}

// listCursor reads the keyset cursor of a paged list; anything else starts at the top.
func listCursor(r *http.Request) int64 {
	id, err := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	if err != nil || id < 0 {
		return 0
	}
	return id
}

func (s *Server) trainerHome(w http.ResponseWriter, r *http.Request) error {
	ctx, orgID := r.Context(), trainerOrgID(r)
	org, err := s.db.OrganizationByID(ctx, orgID)
	if err != nil {
		return err
	}
	courses, err := s.db.CoursesOfOrganization(ctx, orgID, false)
	if err != nil {
		return err
	}
	before := listCursor(r)
	completions, err := s.db.CompletionsOfOrganization(ctx, orgID, before, completionsPerPage)
	if err != nil {
		return err
	}
	m := trainer.HomeModel{Org: *org, ApprovedToday: org.ApprovedOn(s.today()), Courses: courses, Completions: completions}
	if len(completions) > completionsPerPage {
		m.Completions = completions[:completionsPerPage]
		m.Next = fmt.Sprintf("/trainer?before=%d", m.Completions[completionsPerPage-1].ID)
	}
	if before != 0 {
		m.Prev = "/trainer" // keyset pages go forward; "previous" returns to the newest
	}
	s.render(w, r, http.StatusOK, trainer.Home(s.page(r, org.Name), m))
	return nil
}

// courseOptions lists the organization's active courses for the completion form.
func (s *Server) courseOptions(r *http.Request) ([]views.Option, error) {
	courses, err := s.db.CoursesOfOrganization(r.Context(), trainerOrgID(r), true)
	if err != nil {
		return nil, err
	}
	opts := make([]views.Option, 0, len(courses)+1)
	if len(courses) > 0 {
		opts = append(opts, views.Option{Value: "", Label: "- Select a course -"})
	}
	for _, c := range courses {
		opts = append(opts, views.Option{Value: strconv.FormatInt(c.ID, 10), Label: c.Code + ": " + c.Title})
	}
	return opts, nil
}

func (s *Server) completionForm(w http.ResponseWriter, r *http.Request) error {
	opts, err := s.courseOptions(r)
	if err != nil {
		return err
	}
	m := trainer.CompletionFormModel{Courses: opts}
	s.render(w, r, http.StatusOK, trainer.CompletionForm(s.page(r, "Record a completion"), m))
	return nil
}

func (s *Server) recordCompletion(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := peerboard.CompletionForm{
		PersonName:  r.PostForm.Get("person_name"),
		PersonEmail: r.PostForm.Get("person_email"),
		CourseID:    r.PostForm.Get("course_id"),
		CompletedOn: r.PostForm.Get("completed_on"),
	}
	c, err := f.Parse(s.today())
	if err == nil {
		err = s.db.RecordCompletion(r.Context(), trainerOrgID(r), &c)
	}
	switch peerboard.ErrorCode(err) {
	case "":
		return s.redirectWithFlash(w, r, "/trainer", fmt.Sprintf("Recorded: %s completed %s on %s.",
			c.PersonName, c.CourseCode, c.CompletedOn.Format("January 2, 2006")))
	case peerboard.ECONFLICT:
		// A double submit or a repeat: one record exists, which is what the trainer wanted.
		return s.redirectWithFlash(w, r, "/trainer", peerboard.ErrorMessage(err)+" Nothing new was stored.")
	case peerboard.EINVALID:
		opts, oerr := s.courseOptions(r)
		if oerr != nil {
			return oerr
		}
		m := trainer.CompletionFormModel{Form: f, Courses: opts, Errors: peerboard.ErrorFields(err)}
		if len(m.Errors) == 0 {
			m.Message = peerboard.ErrorMessage(err)
		}
		s.render(w, r, http.StatusUnprocessableEntity, trainer.CompletionForm(s.page(r, "Record a completion"), m))
		return nil
	}
	return err
}

func (s *Server) courseForm(w http.ResponseWriter, r *http.Request) error {
	m := trainer.CourseFormModel{Form: peerboard.CourseForm{Hours: map[peerboard.Competency]string{}}}
	s.render(w, r, http.StatusOK, trainer.CourseForm(s.page(r, "Add a course"), m))
	return nil
}

func (s *Server) createCourse(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := peerboard.CourseForm{
		Code:         r.PostForm.Get("code"),
		Title:        r.PostForm.Get("title"),
		TotalHours:   r.PostForm.Get("total_hours"),
		EthicsModule: r.PostForm.Get("ethics_module") != "",
		Hours:        map[peerboard.Competency]string{},
	}
	for _, c := range peerboard.AllCompetencies() {
		f.Hours[c] = r.PostForm.Get(peerboard.HoursField(c))
	}
	c, err := f.Parse()
	if err == nil {
		err = s.db.CreateCourse(r.Context(), trainerOrgID(r), &c)
	}
	if peerboard.ErrorCode(err) == peerboard.EINVALID {
		m := trainer.CourseFormModel{Form: f, Errors: peerboard.ErrorFields(err), Message: peerboard.ErrorMessage(err)}
		if len(m.Errors) > 0 {
			m.Message = ""
		}
		s.render(w, r, http.StatusUnprocessableEntity, trainer.CourseForm(s.page(r, "Add a course"), m))
		return nil
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, "/trainer", "Course "+c.Code+" added.")
}
