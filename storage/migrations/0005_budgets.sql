-- Spending limits, one row per budget version. The query API writes them (PUT and DELETE
-- /v1/budgets/:id); the collector's budget detector reads them with FINAL, so a change is
-- picked up on its next poll without a restart.
--
-- scope:  trace | session (period '') or user | feature | tenant (period day | month).
-- match:  the scope value the budget applies to ('u-42', 'checkout'); '' applies the limit
--         to each value of the scope separately (every user gets $5 a day).
-- ReplacingMergeTree(version, deleted): the highest version wins, and a delete is a newer
-- row with deleted = 1, so a deleted budget disappears from FINAL reads and from merges.
CREATE TABLE IF NOT EXISTS budgets
(
    project_id LowCardinality(String),
    id String,
    scope Enum8('trace' = 1, 'session' = 2, 'user' = 3, 'feature' = 4, 'tenant' = 5),
    match String,
    period Enum8('' = 0, 'day' = 1, 'month' = 2),
    limit_usd Decimal(38, 12),
    alert_at Array(Float64),
    updated_at DateTime64(3, 'UTC'),
    version UInt64,
    deleted UInt8
)
ENGINE = ReplacingMergeTree(version, deleted)
ORDER BY (project_id, id);
