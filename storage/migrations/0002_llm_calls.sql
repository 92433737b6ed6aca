-- One typed row per LLM call. Tokens are the source of truth; cost is derived from them and
-- stored exactly as Decimal(38, 12) dollars, with its source and price version.
--
-- ORDER BY (project_id, trace_id, span_id) makes "cost of one trace" a primary-key range
-- read, and is the de-duplication key: ReplacingMergeTree keeps the highest `version`
-- (a reprice writes a higher one). Per-day group-bys read the llm_cost_minutely rollup.
--
-- A trace's calls sit in one granule of each part, and a point read decompresses every
-- selected column's block around that granule. Granules of 2048 rows and blocks cut from
-- 8 KiB (rather than 8192 rows and 64 KiB) make that read about 4x smaller: at 10M calls
-- the read of one trace took ~10.6 ms instead of ~13 ms, for ~5% more bytes on disk.
CREATE TABLE IF NOT EXISTS llm_calls
(
    project_id LowCardinality(String),
    start_time DateTime64(9, 'UTC') CODEC(Delta, ZSTD(1)),
    trace_id String,
    span_id String,
    parent_span_id String,
    session_id String,
    service LowCardinality(String),
    agent LowCardinality(String),
    feature LowCardinality(String),
    user_id String,
    tenant LowCardinality(String),
    provider LowCardinality(String),
    operation LowCardinality(String),
    request_model LowCardinality(String),
    response_model LowCardinality(String),
    service_tier LowCardinality(String),
    input_tokens UInt32,
    output_tokens UInt32,
    cache_read_tokens UInt32,
    cache_write_tokens UInt32,
    reasoning_tokens UInt32,
    cost_input Decimal(38, 12),
    cost_output Decimal(38, 12),
    cost_cache_read Decimal(38, 12),
    cost_cache_write Decimal(38, 12),
    cost_total Decimal(38, 12),
    cost_source Enum8('provider' = 1, 'computed' = 2, 'unpriced' = 3),
    price_version LowCardinality(String),
    estimated Bool,
    prompt_fingerprint String,
    tool_call_fingerprints Array(String),
    status Enum8('ok' = 1, 'error' = 2),
    error_type LowCardinality(String),
    duration_ns UInt64,
    version UInt64,
    INDEX idx_session session_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_prompt_fp prompt_fingerprint TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(start_time)
ORDER BY (project_id, trace_id, span_id)
TTL toDateTime(start_time) + toIntervalDay(400)
SETTINGS index_granularity = 2048, min_compress_block_size = 8192;
