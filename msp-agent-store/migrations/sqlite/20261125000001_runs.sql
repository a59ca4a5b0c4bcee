-- Durable runs (SQLite). Timestamps are UTC unix milliseconds.
CREATE TABLE runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant      TEXT    NOT NULL,
    ticket      TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    attempt     INTEGER NOT NULL DEFAULT 0,
    worker      TEXT,
    outcome     TEXT,
    lease_until INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- At most one run of a ticket that is not final: makes enqueue idempotent.
CREATE UNIQUE INDEX runs_open_ticket ON runs (tenant, ticket)
    WHERE state NOT IN ('done', 'failed', 'cancelled');
CREATE INDEX runs_state_tenant ON runs (state, tenant, id);

-- The step journal: one row per (run, step).
CREATE TABLE steps (
    run         INTEGER NOT NULL REFERENCES runs (id),
    seq         INTEGER NOT NULL,
    action      TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL,
    started_at  INTEGER NOT NULL,
    record      TEXT,
    PRIMARY KEY (run, seq)
);

-- Approvals, keyed by the asking step's idempotency key. JSON as text.
CREATE TABLE approvals (
    key          TEXT    PRIMARY KEY,
    run          INTEGER NOT NULL REFERENCES runs (id),
    request      TEXT    NOT NULL,
    requested_at INTEGER NOT NULL,
    decision     TEXT,
    answered_at  INTEGER
);
CREATE INDEX approvals_run ON approvals (run);
CREATE INDEX approvals_pending ON approvals (requested_at) WHERE decision IS NULL;
