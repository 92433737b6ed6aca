-- The audio part of a call's tokens and the server-side web searches it ran. OpenAI bills
-- audio tokens (gpt-audio, gpt-realtime) at their own, higher rates, and Anthropic bills each
-- web search as a fee per thousand searches, so both are part of what a call cost. Tokens
-- are the source of truth (cost is derived from them, and a reprice recomputes it from the
-- stored tokens): without these columns a stored call loses them, and a reprice would price
-- its audio as text and drop its search fees.
--
-- `audio_input_tokens` is a part of `input_tokens` and `audio_output_tokens` a part of
-- `output_tokens`, never added to them; `web_searches` counts searches, not tokens. Each is
-- 0 where the call had none, and for every call stored before this migration. Adding a
-- column with a DEFAULT rewrites no part: old parts read the default. Each ADD is its own
-- statement with IF NOT EXISTS, so a run cut short after some of them finishes the rest.
--
-- The llm_cost_minutely rollup is left as it is: its view names its columns, so it does not
-- change with llm_calls, and the audio and search charges sit inside cost_input and
-- cost_output, which it already sums.
ALTER TABLE llm_calls ADD COLUMN IF NOT EXISTS audio_input_tokens UInt32 DEFAULT 0 AFTER input_tokens;

ALTER TABLE llm_calls ADD COLUMN IF NOT EXISTS audio_output_tokens UInt32 DEFAULT 0 AFTER output_tokens;

ALTER TABLE llm_calls ADD COLUMN IF NOT EXISTS web_searches UInt32 DEFAULT 0 AFTER reasoning_tokens;
