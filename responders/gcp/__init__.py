"""GCP responders (the actions are not written yet; see `permissions`)."""
