package peerboard

import "time"

// Organization is a training organization. Its approval is a date range,
// so it lapses on its own.
type Organization struct {
	ID            int64
	Name          string
	ContactEmail  string
	ApprovedFrom  *time.Time
	ApprovedUntil *time.Time
}

// ApprovedOn reports whether the organization's approval covers day.
func (o Organization) ApprovedOn(day time.Time) bool {
	return o.ApprovedFrom != nil && !day.Before(*o.ApprovedFrom) &&
		(o.ApprovedUntil == nil || !day.After(*o.ApprovedUntil))
}

// Course is a training course an organization offers, with its hours per competency.
type Course struct {
	ID                   int64
	OrganizationID       int64
	Code                 string
	Title                string
	TotalHours           float64
	IncludesEthicsModule bool
	Active               bool
	CompetencyHours      map[Competency]float64
}

// Completion is a record that a person finished a course on a date.
type Completion struct {
	ID               int64
	CourseID         int64
	CourseCode       string
	CourseTitle      string
	OrganizationID   int64
	OrganizationName string
	PersonEmail      string
	PersonName       string
	UserID           *int64
	CompletedOn      time.Time
	CreatedAt        time.Time
}
