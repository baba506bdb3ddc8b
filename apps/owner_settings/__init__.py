"""Owner settings services shared by the portal and the API (no models)."""
