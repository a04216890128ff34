package server

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/peerboard/peerboard/web/views/mail"
)

const mailPageSize = 50

func (s *Server) mailRoutes(r chi.Router) {
	s.route(r, http.MethodGet, "/admin/mail", admins, s.mailList)
	s.route(r, http.MethodGet, "/admin/mail/{id}", admins, s.mailShow)
}

func (s *Server) mailList(w http.ResponseWriter, r *http.Request) error {
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	// One more than a page tells whether there is a next one.
	msgs, err := s.db.MailMessages(r.Context(), max(before, 0), mailPageSize+1)
	if err != nil {
		return err
	}
	next := ""
	if len(msgs) > mailPageSize {
		msgs = msgs[:mailPageSize]
		next = fmt.Sprintf("/admin/mail?before=%d", msgs[len(msgs)-1].ID)
	}
	s.render(w, r, http.StatusOK, mail.List(s.page(r, "Mail"), msgs, next))
	return nil
}

func (s *Server) mailShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := s.db.MailMessageByID(r.Context(), id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, mail.Show(s.page(r, m.Subject), m))
	return nil
}
