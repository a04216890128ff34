package server

import "github.com/go-chi/chi/v5"

// peopleRoutes: the board admin manages accounts, roles and discipline.
func (s *Server) peopleRoutes(r chi.Router) {}
