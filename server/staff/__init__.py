"""Staff accounts: the administrators' pages and API, and the first administrator from the command line."""
