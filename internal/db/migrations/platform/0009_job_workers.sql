-- Every process that works jobs says it is alive here every few seconds;
-- a job left running by a process that stopped saying so (killed, its
-- machine gone) is handed to a live one within a minute, instead of
-- waiting for the job queue's one-hour rescue.
CREATE TABLE platform.job_workers (
    id          text PRIMARY KEY,
    started_at  timestamptz NOT NULL DEFAULT now(),
    seen_at     timestamptz NOT NULL DEFAULT now()
);
