"""What every domain builds on: the database, configuration, security, caching, errors, mail, CSV files and the rest of the plumbing. Imports no domain."""
