-- What the organizer's next message is for while a broadcast draft is composed: 'text' (the
-- broadcast's text, or the next language's), 'when' (the moment of a scheduled broadcast), or
-- NULL (a button is awaited). The draft row is the one record of where the organizer is.
ALTER TABLE broadcasts ADD COLUMN awaiting TEXT CHECK (awaiting IN ('text', 'when'));
