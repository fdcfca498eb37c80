-- A guest saves each control of a design on its own (issue 15): a rank or
-- a comment may be stored before, or without, a like/favourite/maybe, so
-- a vote row's vote may be '' (no choice yet). A row with no vote, rank
-- or comment is deleted rather than kept.
ALTER TABLE platform.share_link_votes DROP CONSTRAINT share_link_votes_vote_check;
ALTER TABLE platform.share_link_votes ADD CONSTRAINT share_link_votes_vote_check
    CHECK (vote IN ('', 'like', 'favorite', 'maybe'));
-- The share email answers to the quilter who sent it (Reply-To), not to
-- the service's no-reply address.
ALTER TABLE platform.mail_outbox ADD COLUMN reply_to text NOT NULL DEFAULT '';
