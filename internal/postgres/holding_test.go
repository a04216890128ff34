package postgres_test

import (
	"context"
	"testing"

	"github.com/peerboard/peerboard/internal/peerboard"
)

func TestVoluntaryStatusChanges(t *testing.T) {
	tests := []struct {
		name    string
		from    string
		expires string
		to      peerboard.CredentialStatus
		code    string // "" when allowed
	}{
		{"active to inactive", "active", "2027-01-10", peerboard.CredInactive, ""},
		{"active to surrendered", "active", "2027-01-10", peerboard.CredSurrendered, ""},
		{"inactive to active before expiry", "inactive", "2027-01-10", peerboard.CredActive, ""},
		{"inactive to surrendered", "inactive", "2027-01-10", peerboard.CredSurrendered, ""},
		{"inactive to active after expiry", "inactive", "2026-11-30", peerboard.CredActive, peerboard.EINVALID},
		{"surrendered is final", "surrendered", "2027-01-10", peerboard.CredActive, peerboard.EINVALID},
		{"expired cannot go inactive", "expired", "2026-11-01", peerboard.CredInactive, peerboard.EINVALID},
		{"holder cannot expire", "active", "2027-01-10", peerboard.CredExpired, peerboard.EINVALID},
		{"suspended cannot reactivate itself", "suspended", "2027-01-10", peerboard.CredActive, peerboard.EINVALID},
		{"already inactive", "inactive", "2027-01-10", peerboard.CredInactive, peerboard.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newRenewalFixture(t, "2026-12-01")
			h := f.holder("h@example.org", tt.from, tt.expires)
			got, err := f.db.ChangeCredentialStatus(h.ctx, h.credID, 1, tt.to)
			if tt.code != "" {
				rnWantCode(t, err, tt.code)
				if n := f.count(`SELECT count(*) FROM credentials WHERE id = $1 AND status = $2 AND version = 1`, h.credID, tt.from); n != 1 {
					t.Error("a refused change altered the credential")
				}
				if n := f.count(`SELECT count(*) FROM mail_messages`) + f.count(`SELECT count(*) FROM river_job`); n != 0 {
					t.Errorf("a refused change queued %d mail rows", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tt.to || got.Version != 2 {
				t.Errorf("credential %+v", got)
			}
			pub, err := f.db.PublicCredentialByNumber(context.Background(), h.number)
			if err != nil {
				t.Fatal(err)
			}
			if pub.Status != string(tt.to) {
				t.Errorf("public status %q, want %q", pub.Status, tt.to)
			}
			if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'credential.status_changed' AND entity_id = $1
				AND before->>'status' = $2 AND after->>'status' = $3`, h.credID, tt.from, string(tt.to)); n != 1 {
				t.Error("no status_changed audit event with before and after")
			}
			if n := f.count(`SELECT count(*) FROM mail_messages WHERE kind = 'status_changed' AND to_address = 'h@example.org'`); n != 1 {
				t.Error("no status_changed mail")
			}
			if n := f.count(`SELECT count(*) FROM river_job WHERE kind = 'send_mail'`); n != 1 {
				t.Error("no mail job")
			}
		})
	}
}

func TestStatusChangeGuards(t *testing.T) {
	f := newRenewalFixture(t, "2026-12-01")
	h := f.holder("h@example.org", "active", "2027-01-10")
	other := f.holder("other@example.org", "active", "2027-01-10")
	_, err := f.db.ChangeCredentialStatus(other.ctx, h.credID, 1, peerboard.CredInactive)
	rnWantCode(t, err, peerboard.ENOTFOUND)
	_, err = f.db.HolderCredential(other.ctx, h.credID)
	rnWantCode(t, err, peerboard.ENOTFOUND)
	_, rctx := f.user(peerboard.RoleReviewer, "rev@example.org")
	_, err = f.db.ChangeCredentialStatus(rctx, h.credID, 1, peerboard.CredInactive)
	rnWantCode(t, err, peerboard.ENOTFOUND)
	if _, err := f.db.ChangeCredentialStatus(h.ctx, h.credID, 1, peerboard.CredInactive); err != nil {
		t.Fatal(err)
	}
	// The same form sent again carries the old version.
	_, err = f.db.ChangeCredentialStatus(h.ctx, h.credID, 1, peerboard.CredInactive)
	rnWantCode(t, err, peerboard.ECONFLICT)
	if n := f.count(`SELECT count(*) FROM mail_messages`); n != 1 {
		t.Errorf("mails = %d, want 1", n)
	}
}

// TestStatusChangeRolledBackSendsNoMail makes the transaction fail after the
// mail was queued (a trigger refuses the audit event, written last) and
// checks the message and its job rolled back with the change.
func TestStatusChangeRolledBackSendsNoMail(t *testing.T) {
	f := newRenewalFixture(t, "2026-12-01")
	h := f.holder("h@example.org", "active", "2027-01-10")
	ctx := context.Background()
	_, err := f.db.Pool.Exec(ctx, `
		CREATE FUNCTION fail_status_audit() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.action = 'credential.status_changed' THEN RAISE EXCEPTION 'injected failure'; END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER fail_status_audit BEFORE INSERT ON audit_events
			FOR EACH ROW EXECUTE FUNCTION fail_status_audit();`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.ChangeCredentialStatus(h.ctx, h.credID, 1, peerboard.CredSurrendered); err == nil {
		t.Fatal("the change succeeded despite the failing audit insert")
	}
	if n := f.count(`SELECT count(*) FROM mail_messages`); n != 0 {
		t.Errorf("mail_messages = %d after rollback, want 0", n)
	}
	if n := f.count(`SELECT count(*) FROM river_job`); n != 0 {
		t.Errorf("river_job = %d after rollback, want 0", n)
	}
	if n := f.count(`SELECT count(*) FROM credentials WHERE id = $1 AND status = 'active' AND version = 1`, h.credID); n != 1 {
		t.Error("the credential changed despite the rollback")
	}
	// Without the failure the same change commits its mail.
	if _, err := f.db.Pool.Exec(ctx, `DROP TRIGGER fail_status_audit ON audit_events`); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.ChangeCredentialStatus(h.ctx, h.credID, 1, peerboard.CredSurrendered); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM mail_messages`) + f.count(`SELECT count(*) FROM river_job`); n != 2 {
		t.Errorf("mail rows = %d after commit, want message and job", n)
	}
}
