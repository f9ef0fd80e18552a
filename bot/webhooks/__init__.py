"""GitHub webhook deliveries: parsing and verifying events, and which subscribers they concern."""
