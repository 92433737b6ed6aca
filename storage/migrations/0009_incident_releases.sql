-- The kill a `release` decision lifts (its `releases` field), empty for every other decision
-- and for incidents stored before this migration. With it, a collector that starts again
-- can tell which kills read back from `incidents` are still in force, and send those to the
-- apps that connect to it. Adding a column with a DEFAULT rewrites no part.
ALTER TABLE incidents ADD COLUMN IF NOT EXISTS releases String DEFAULT '' AFTER action;
