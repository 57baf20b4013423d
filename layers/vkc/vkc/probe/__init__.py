"""The probe job: a real first job that exercises API → queue → worker → database and records what it found."""
