-- Every running app server says it is alive here every few seconds, with
-- its pools' figures, so the platform admin's Health page can list all of
-- them (each page is served by one). Unlogged: it is rewritten constantly
-- and worthless after a crash; a failover empties it until the next beat.
CREATE UNLOGGED TABLE platform.app_servers (
    name        text PRIMARY KEY,
    version     text NOT NULL,
    started_at  timestamptz NOT NULL,
    seen_at     timestamptz NOT NULL DEFAULT now(),
    stats       jsonb NOT NULL DEFAULT '{}'
);
