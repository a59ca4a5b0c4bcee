-- Durable runs (PostgreSQL). Timestamps are timestamptz set from the database clock, so
-- workers on different hosts agree on lease expiry.
CREATE TABLE runs (
    id          BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant      TEXT        NOT NULL,
    ticket      TEXT        NOT NULL,
    state       TEXT        NOT NULL,
    attempt     BIGINT      NOT NULL DEFAULT 0,
    worker      TEXT,
    outcome     TEXT,
    lease_until TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- At most one run of a ticket that is not final: makes enqueue idempotent.
CREATE UNIQUE INDEX runs_open_ticket ON runs (tenant, ticket)
    WHERE state NOT IN ('done', 'failed', 'cancelled');
-- Claimable runs (queued, or running with a lease that may have expired).
CREATE INDEX runs_claimable ON runs (tenant, id) WHERE state IN ('queued', 'running');

-- The step journal: one row per (run, step). JSON as text (exact round trip).
CREATE TABLE steps (
    run         BIGINT      NOT NULL REFERENCES runs (id),
    seq         BIGINT      NOT NULL,
    action      TEXT        NOT NULL,
    fingerprint TEXT        NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    record      TEXT,
    PRIMARY KEY (run, seq)
);

-- Approvals, keyed by the asking step's idempotency key.
CREATE TABLE approvals (
    key          TEXT        PRIMARY KEY,
    run          BIGINT      NOT NULL REFERENCES runs (id),
    request      TEXT        NOT NULL,
    requested_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    decision     TEXT,
    answered_at  TIMESTAMPTZ
);
CREATE INDEX approvals_run ON approvals (run);
CREATE INDEX approvals_pending ON approvals (requested_at) WHERE decision IS NULL;
