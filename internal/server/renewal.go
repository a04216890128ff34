package server

import "github.com/go-chi/chi/v5"

// renewalRoutes: renewals, CE audits and voluntary status changes.
func (s *Server) renewalRoutes(r chi.Router) {}
