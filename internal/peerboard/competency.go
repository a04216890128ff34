package peerboard

// Competency is one of the twelve SAMHSA core competency categories for peer
// workers; training courses declare their hours per category.
type Competency int

// The twelve SAMHSA core competency categories, numbered as SAMHSA numbers them.
const (
	CompEngages          Competency = iota + 1 // 1. Engages peers in collaborative and caring relationships
	CompProvidesSupport                        // 2. Provides support
	CompSharesLived                            // 3. Shares lived experiences of recovery
	CompPersonalizes                           // 4. Personalizes peer support
	CompRecoveryPlanning                       // 5. Supports recovery planning
	CompLinksResources                         // 6. Links to resources, services, and supports
	CompInformation                            // 7. Provides information about skills related to health, wellness, and recovery
	CompCrises                                 // 8. Helps peers to manage crises
	CompCommunication                          // 9. Values communication
	CompCollaboration                          // 10. Supports collaboration and teamwork
	CompLeadership                             // 11. Promotes leadership and advocacy
	CompGrowth                                 // 12. Promotes growth and development
)

// AllCompetencies returns the twelve categories in order, as a fresh slice the
// caller may keep.
func AllCompetencies() []Competency {
	all := make([]Competency, 0, 12)
	for c := CompEngages; c <= CompGrowth; c++ {
		all = append(all, c)
	}
	return all
}

// String returns the SAMHSA name of the category, used on forms and checklists.
func (c Competency) String() string {
	switch c {
	case CompEngages:
		return "Engages peers in collaborative and caring relationships"
	case CompProvidesSupport:
		return "Provides support"
	case CompSharesLived:
		return "Shares lived experiences of recovery"
	case CompPersonalizes:
		return "Personalizes peer support"
	case CompRecoveryPlanning:
		return "Supports recovery planning"
	case CompLinksResources:
		return "Links to resources, services, and supports"
	case CompInformation:
		return "Provides information about skills related to health, wellness, and recovery"
	case CompCrises:
		return "Helps peers to manage crises"
	case CompCommunication:
		return "Values communication"
	case CompCollaboration:
		return "Supports collaboration and teamwork"
	case CompLeadership:
		return "Promotes leadership and advocacy"
	case CompGrowth:
		return "Promotes growth and development"
	}
	return "Unknown competency"
}

// Valid reports whether c is one of the twelve categories, so stored or posted
// numbers can be checked before use.
func (c Competency) Valid() bool { return c >= CompEngages && c <= CompGrowth }
