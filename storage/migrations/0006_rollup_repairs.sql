-- Minutes of llm_cost_minutely a reprice still has to rebuild. A reprice records a page's
-- minutes here before it re-inserts the page's calls (which the materialized view counts a
-- second time), and removes them once those minutes are rebuilt from llm_calls FINAL. What a
-- failed or interrupted reprice leaves here, the next reprice rebuilds before anything else,
-- so no minute stays double-counted.
CREATE TABLE IF NOT EXISTS rollup_repairs
(
    project_id LowCardinality(String),
    minute DateTime('UTC'),
    recorded_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
ORDER BY (project_id, minute);
