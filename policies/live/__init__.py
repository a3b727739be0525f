"""Live checks: the controls observed in a deployed account through the cloud APIs."""
