"""Jobs: user-visible units of work that travel API → priority queue → worker → store."""
