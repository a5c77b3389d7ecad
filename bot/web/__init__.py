"""The bot's own web server: webhook, health, metrics, and the routes features add."""
