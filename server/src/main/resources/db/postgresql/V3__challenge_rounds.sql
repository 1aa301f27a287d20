-- Multi-round attestors answer a follow-up challenge that the server derived from the first
-- evidence: keep its issue time, its parameters (JSON object of strings) and its round number.
ALTER TABLE challenges ADD COLUMN issued_at BIGINT;
ALTER TABLE challenges ADD COLUMN parameters TEXT NOT NULL DEFAULT '{}';
ALTER TABLE challenges ADD COLUMN round_number INTEGER NOT NULL DEFAULT 1;
