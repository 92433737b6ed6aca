-- The cost rollup dashboards read: per minute x project x service x feature x user x tenant
-- x agent x provider x model x operation. It is fed by a materialized view on llm_calls,
-- so it counts exactly the rows inserted there; the writer never inserts a span that
-- llm_calls already holds, which keeps the rollup right under retried exports.
CREATE TABLE IF NOT EXISTS llm_cost_minutely
(
    project_id LowCardinality(String),
    minute DateTime('UTC'),
    service LowCardinality(String),
    feature LowCardinality(String),
    user_id String,
    tenant LowCardinality(String),
    agent LowCardinality(String),
    provider LowCardinality(String),
    model LowCardinality(String),
    operation LowCardinality(String),
    calls UInt64,
    unpriced_calls UInt64,
    error_calls UInt64,
    estimated_calls UInt64,
    input_tokens UInt64,
    output_tokens UInt64,
    cache_read_tokens UInt64,
    cache_write_tokens UInt64,
    reasoning_tokens UInt64,
    cost_input Decimal(38, 12),
    cost_output Decimal(38, 12),
    cost_cache_read Decimal(38, 12),
    cost_cache_write Decimal(38, 12),
    cost_total Decimal(38, 12)
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (project_id, minute, feature, service, model, agent, user_id, tenant, provider, operation)
TTL minute + toIntervalDay(400);

CREATE MATERIALIZED VIEW IF NOT EXISTS llm_cost_minutely_mv TO llm_cost_minutely AS
SELECT
    project_id,
    toStartOfMinute(start_time) AS minute,
    service,
    feature,
    user_id,
    tenant,
    agent,
    provider,
    if(response_model != '', response_model, request_model) AS model,
    operation,
    count() AS calls,
    countIf(cost_source = 'unpriced') AS unpriced_calls,
    countIf(status = 'error') AS error_calls,
    countIf(estimated) AS estimated_calls,
    sum(toUInt64(input_tokens)) AS input_tokens,
    sum(toUInt64(output_tokens)) AS output_tokens,
    sum(toUInt64(cache_read_tokens)) AS cache_read_tokens,
    sum(toUInt64(cache_write_tokens)) AS cache_write_tokens,
    sum(toUInt64(reasoning_tokens)) AS reasoning_tokens,
    sum(cost_input) AS cost_input,
    sum(cost_output) AS cost_output,
    sum(cost_cache_read) AS cost_cache_read,
    sum(cost_cache_write) AS cost_cache_write,
    sum(cost_total) AS cost_total
FROM llm_calls
GROUP BY project_id, minute, service, feature, user_id, tenant, agent, provider, model, operation;
