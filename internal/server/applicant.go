package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/peerboard/peerboard/web/views"
)

func (s *Server) applicantRoutes(r chi.Router) {}

func (s *Server) applicantDashboard(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, views.Home(s.page(r, "Dashboard")))
	return nil
}
