-- One row per detection (loop or budget). `id` is the decision id; writing the same
-- decision twice collapses to one row.
CREATE TABLE IF NOT EXISTS incidents
(
    id String,
    project_id LowCardinality(String),
    created_at DateTime64(3, 'UTC'),
    expires_at DateTime64(3, 'UTC'),
    detector LowCardinality(String),
    action LowCardinality(String),
    scope Map(LowCardinality(String), String),
    reason String,
    evidence String,
    trace_id String,
    session_id String
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(created_at)
ORDER BY (project_id, created_at, id)
TTL toDateTime(created_at) + toIntervalDay(400);
