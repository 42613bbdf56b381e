"""Our own training corpus for the classifier (templates + lexicons, no evaluation data)."""
