-- The private chat each account talks to the bot in, stored rather than derived from the
-- account's id: on Telegram (and the terminal) a private chat's id is the user's id, but
-- a Discord DM channel has an id of its own. NULL until the account is seen writing from
-- a private chat; the chat's platform is the account's.
ALTER TABLE accounts ADD COLUMN dm_chat_id TEXT;

-- True of every account there is so far: Telegram's and the terminal's private chats
-- have the user's id.
UPDATE accounts SET dm_chat_id = platform_user_id WHERE platform IN ('telegram', 'local');
