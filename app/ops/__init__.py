"""Operations: the health check, backups and restores, and locks for the scheduled jobs."""
