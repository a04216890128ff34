package server

import "github.com/go-chi/chi/v5"

// configRoutes: the board admin edits credential types and training organizations.
func (s *Server) configRoutes(r chi.Router) {}
