"""All SQL of the bot: the database, its migrations and the repositories over it."""
