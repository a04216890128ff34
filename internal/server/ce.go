package server

import "github.com/go-chi/chi/v5"

// ceRoutes: continuing education for holders and training organizations.
func (s *Server) ceRoutes(r chi.Router) {}
