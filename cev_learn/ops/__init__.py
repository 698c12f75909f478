"""Running cev_learn: the gunicorn workers, backups and restores."""
