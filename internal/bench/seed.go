// Package bench measures peerboard's hot paths (public verification and the
// reviewer queue) through the real router and database, over a register of
// realistic size. Seed fills a database with set-based SQL, so 100,000
// holders take seconds, not minutes.
package bench

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/peerboard/peerboard/internal/peerboard"
)

// Seed adds n applicants, each with one application (30% of them waiting in
// the reviewer queue) and one credential of the first credential type, plus
// public and private discipline on a few credentials, then runs ANALYZE so
// the planner sees the real sizes. Ids are assigned above the existing ones
// and the identity sequences are moved past them, so later inserts work.
//
// Names repeat the way real ones do: 59 first names × 1,386 last names, so
// an exact name search usually matches one or two people.
func Seed(ctx context.Context, pool *pgxpool.Pool, n int) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(ctx) }()

	var typeID int64
	var prefix string
	if err := tx.QueryRow(ctx, `SELECT id, number_prefix FROM credential_types ORDER BY id LIMIT 1`).Scan(&typeID, &prefix); err != nil {
		return fmt.Errorf("credential type: %w", err)
	}
	var userBase, appBase, credBase, firstSeq int64
	err = tx.QueryRow(ctx, `SELECT (SELECT coalesce(max(id), 0) FROM users), (SELECT coalesce(max(id), 0) FROM applications),
		(SELECT coalesce(max(id), 0) FROM credentials), nextval('credential_number_seq')`).Scan(&userBase, &appBase, &credBase, &firstSeq)
	if err != nil {
		return fmt.Errorf("bases: %w", err)
	}
	// Numbers carry a check character computed in Go; everything else is SQL.
	numbers := make([]string, n)
	for i := range numbers {
		numbers[i] = peerboard.FormatCredentialNumber(prefix, firstSeq+int64(i))
	}

	steps := []struct {
		what string
		sql  string
		args []any
	}{
		{"people", `CREATE TEMP TABLE bench_people ON COMMIT DROP AS
			SELECT i,
			       (ARRAY['Alex','Ana','Ben','Carla','Chris','Dana','David','Elena','Eli','Fatima','Grace','Hannah',
			              'Ibrahim','Isabel','Jamal','Jordan','Jose','Julia','Kai','Kim','Lee','Leila','Luis','Maria',
			              'Mark','Maya','Mia','Mohammed','Nina','Noah','Olivia','Omar','Pat','Paul','Priya','Quinn',
			              'Rosa','Ruth','Sam','Sara','Sean','Sofia','Tara','Taylor','Theo','Uma','Victor','Wei',
			              'Will','Xavier','Yara','Yusuf','Zoe','Amir','Beth','Cody','Dev','Erin','Finn'])[1 + i % 59] AS first_name,
			       initcap((ARRAY['ab','bar','cal','del','el','fer','gar','hal','il','jor','kel','lan','mar','nor','ol',
			                      'par','quin','ros','sal','tor','ur','val','wes','xan','yor','zel','bran','cor','dun','fitz',
			                      'gal','har','mac'])[1 + i % 33]
			               || (ARRAY['a','ado','ani','berg','bury','da','dez','ford','gan','ham','ie','ini','ley','lo',
			                         'man','mer','ner','o','ova','quez','rez','rick','ro','sen','ski','son','ton','van',
			                         'vich','well','wood','y','za','zi','stein','stad','holm','dale','more','ridge','field',
			                         'ward'])[1 + (i / 33) % 42]) AS last_name
			FROM generate_series(1, $1::int) AS i`, []any{n}},
		{"users", `INSERT INTO users (id, email, name, password_hash, role, created_at)
			OVERRIDING SYSTEM VALUE
			SELECT $1::bigint + i, 'holder' || ($1::bigint + i) || '@bench.test', first_name || ' ' || last_name,
			       'not-a-password-hash', 'applicant', timestamptz '2024-01-01' + i * interval '5 minutes'
			FROM bench_people`, []any{userBase}},
		// Statuses by i % 10: draft; submitted, under review, needs information, resubmitted; approved ×4; denied.
		{"applications", `INSERT INTO applications (id, applicant_id, credential_type_id, pathway, status,
			        first_name, last_name, date_of_birth, phone, address_line, city, state, postal_code,
			        lived_experience, supervised_hours, submitted_at, decided_at, version, created_at, updated_at)
			OVERRIDING SYSTEM VALUE
			SELECT $1::bigint + i, $2::bigint + i, $3::bigint,
			       CASE WHEN i % 4 = 0 THEN 'grandparenting' ELSE 'standard' END,
			       (ARRAY['draft','submitted','under_review','needs_information','resubmitted',
			              'approved','approved','approved','approved','denied'])[1 + i % 10],
			       first_name, last_name, date '1960-01-01' + (i * 7919) % 15000, '860-555-' || lpad((i % 10000)::text, 4, '0'),
			       i || ' Main Street', 'Hartford', 'CT', '06103', CASE WHEN i % 7 = 0 THEN 'family' ELSE 'self' END,
			       300 + i % 200,
			       CASE WHEN i % 10 <> 0 THEN timestamptz '2024-06-01' + ((i * 7919) % 800000) * interval '1 minute' END,
			       CASE WHEN i % 10 >= 5 THEN timestamptz '2026-01-01' + (i % 1000) * interval '1 hour' END,
			       1, timestamptz '2024-05-01' + i * interval '1 minute', timestamptz '2026-01-01' + i * interval '1 minute'
			FROM bench_people`, []any{appBase, userBase, typeID}},
		// Statuses by i % 20: mostly active; inactive, expired, suspended, revoked.
		{"credentials", `INSERT INTO credentials (id, number, user_id, credential_type_id, application_id, status,
			        first_name, last_name, family_modifier, issued_on, expires_on, updated_at)
			OVERRIDING SYSTEM VALUE
			SELECT $1::bigint + p.i, num.number, $2::bigint + p.i, $3::bigint,
			       CASE WHEN p.i % 10 BETWEEN 5 AND 8 THEN $4::bigint + p.i END,
			       CASE p.i % 20 WHEN 16 THEN 'inactive' WHEN 17 THEN 'expired' WHEN 18 THEN 'suspended'
			                     WHEN 19 THEN 'revoked' ELSE 'active' END,
			       p.first_name, p.last_name, p.i % 7 = 0,
			       date '2024-01-01' + p.i % 900, date '2026-01-01' + p.i % 900,
			       timestamptz '2026-01-01' + p.i * interval '1 minute'
			FROM unnest($5::text[]) WITH ORDINALITY AS num(number, i)
			JOIN bench_people p ON p.i = num.i`, []any{credBase, userBase, typeID, appBase, numbers}},
		// Public discipline on the suspended and revoked, and a reprimand on 1 in 100; a private note on 1 in 150.
		{"discipline", `INSERT INTO discipline_actions (credential_id, action, public_summary, effective_on, ends_on, public, created_at)
			SELECT $1::bigint + i,
			       CASE WHEN i % 20 = 18 THEN 'suspension' WHEN i % 20 = 19 THEN 'revocation'
			            WHEN i % 150 = 0 THEN 'probation' ELSE 'reprimand' END,
			       'Board order ' || i || ': conduct outside the code of ethics.',
			       date '2026-02-01' + i % 200,
			       CASE WHEN i % 20 = 18 THEN date '2026-12-01' + i % 200 END,
			       i % 150 <> 0 OR i % 20 IN (18, 19),
			       timestamptz '2026-02-01' + (i % 200) * interval '1 day'
			FROM bench_people
			WHERE i % 20 IN (18, 19) OR i % 100 = 0 OR i % 150 = 0`, []any{credBase}},
		{"sequences", `SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users)),
			setval(pg_get_serial_sequence('applications', 'id'), (SELECT max(id) FROM applications)),
			setval(pg_get_serial_sequence('credentials', 'id'), (SELECT max(id) FROM credentials)),
			setval('credential_number_seq', $1::bigint)`, []any{firstSeq + int64(n) - 1}},
	}
	for _, s := range steps {
		if _, err := tx.Exec(ctx, s.sql, s.args...); err != nil {
			return fmt.Errorf("seed %s: %w", s.what, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	// ANALYZE cannot run inside the seeding transaction's snapshot usefully: it runs after commit.
	_, err = conn.Exec(ctx, `ANALYZE users, applications, credentials, discipline_actions`)
	return err
}

// Sample returns up to n credential numbers and n distinct (first, last)
// names of holders, chosen at random, to drive lookups.
func Sample(ctx context.Context, pool *pgxpool.Pool, n int) (numbers []string, names [][2]string, err error) {
	rows, err := pool.Query(ctx, `SELECT number FROM credentials ORDER BY random() LIMIT $1`, n)
	if err != nil {
		return nil, nil, err
	}
	numbers, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, nil, err
	}
	rows, err = pool.Query(ctx, `SELECT first_name, last_name FROM (SELECT DISTINCT first_name, last_name FROM credentials) d
		ORDER BY random() LIMIT $1`, n)
	if err != nil {
		return nil, nil, err
	}
	names, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]string, error) {
		var p [2]string
		err := r.Scan(&p[0], &p[1])
		return p, err
	})
	return numbers, names, err
}
